package org.lenet5.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Our kernels as the jar holds them: kernels/&lt;unit&gt;.cu (copied from native-kernels/ by the build, compiled at
 * run time by NVRTC) and kernels/&lt;unit&gt;.ptx (committed, produced by native-kernels/build.sh with nvcc 13).
 */
public final class KernelSources {

    /** One .cu file of native-kernels/ per concern. */
    public enum Unit {
        BATCH_GATHER("batch_gather", List.of("gather_normalize_pad")),
        SOFTMAX_LOSS("softmax_loss", List.of("softmax_cross_entropy", "batch_totals")),
        OPTIMIZER("optimizer", List.of("sgd_update", "momentum_update", "adam_update"));

        private final String fileStem;
        private final List<String> kernels;

        Unit(String fileStem, List<String> kernels) {
            this.fileStem = fileStem;
            this.kernels = kernels;
        }

        public String fileStem() { return fileStem; }

        /** The extern "C" __global__ functions the backend looks up in this unit. */
        public List<String> kernels() { return kernels; }
    }

    /** Options NVRTC gets besides the architecture; they mirror build.sh's nvcc flags (-fmad=false). */
    public static final List<String> NVRTC_OPTIONS = List.of("--fmad=false");

    private KernelSources() {}

    public static String source(Unit unit) { return resource("kernels/" + unit.fileStem() + ".cu"); }

    public static String ptx(Unit unit) { return resource("kernels/" + unit.fileStem() + ".ptx"); }

    /** The header of the shipped PTX (all units are built with the same flags; a test checks they agree). */
    public static KernelPath.PtxHeader shippedPtxHeader() {
        return KernelPath.PtxHeader.parse(ptx(Unit.OPTIMIZER));
    }

    static String resource(String name) {
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("the jar is missing " + name + " (rebuild with mvn package)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " from the jar", e);
        }
    }
}
