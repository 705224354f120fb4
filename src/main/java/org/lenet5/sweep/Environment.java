package org.lenet5.sweep;

import org.lenet5.util.BuildInfo;
import org.lenet5.util.GpuDescription;
import org.lenet5.util.MachineInfo;

import java.util.LinkedHashMap;
import java.util.Map;

/** The training environment table of a report: the machine, its GPU (or none) and the lenet5 build. */
public record Environment(MachineInfo machine, GpuDescription gpu, BuildInfo build) {

    public Map<String, String> rows() {
        Map<String, String> m = new LinkedHashMap<>(machine.rows());
        m.putAll(gpu.rows());
        m.put("lenet5", build.version());
        m.put("git commit", build.commit());
        return m;
    }
}
