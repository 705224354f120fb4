package org.lenet5.util;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GPU side of "what machine ran this", as reports print it. Every field is text, because each can be
 * missing for its own reason ("none", "not probed").
 *
 * @param name    GPU model, or "none"
 * @param memory  e.g. "139.8 GiB"
 * @param driver  NVIDIA driver release, e.g. "570.124.06"
 * @param cuda    CUDA version (runtime, or what the driver supports when no runtime was probed)
 * @param cudnn   cuDNN version
 * @param cublas  cuBLAS version
 * @param source  how it was found out, e.g. "nvidia-smi"
 */
public record GpuDescription(String name, String memory, String driver, String cuda, String cudnn, String cublas,
                             String source) {

    public static final String NONE = "none";

    /** No GPU: every field "none", the reason in source. */
    public static GpuDescription none(String why) {
        return new GpuDescription(NONE, NONE, NONE, NONE, NONE, NONE, why);
    }

    public boolean present() { return !NONE.equals(name); }

    /** Rows for an environment table, in a fixed order. */
    public Map<String, String> rows() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("GPU", present() ? name : NONE + " (" + source + ")");
        m.put("GPU memory", memory);
        m.put("NVIDIA driver", driver);
        m.put("CUDA", cuda);
        m.put("cuDNN", cudnn);
        m.put("cuBLAS", cublas);
        return m;
    }
}
