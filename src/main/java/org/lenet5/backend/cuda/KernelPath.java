package org.lenet5.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How our kernels (native-kernels/*.cu) get onto the GPU, decided from the driver's CUDA version, the GPU's
 * compute capability and whether libnvrtc.so.12 loads:
 * <ul>
 *   <li>{@link #SHIPPED_PTX}: the PTX in the jar (kernels/*.ptx, built by nvcc 13 with native-kernels/build.sh),
 *       JIT-compiled by the driver. Its PTX ISA 9.0 needs a CUDA 13 driver (580 or newer), and its target
 *       (sm_75) a GPU of compute capability 7.5 or newer. Needs no NVRTC.</li>
 *   <li>{@link #NVRTC}: compile the .cu sources shipped in the jar at run time with NVRTC 12 (libnvrtc.so.12)
 *       to a CUBIN for the exact GPU, which any CUDA 12 driver loads without a PTX JIT.</li>
 * </ul>
 * The shipped PTX is preferred when the driver can take it (no compiler at start-up); NVRTC otherwise.
 * Whichever comes first, the other is tried when it fails.
 */
public enum KernelPath {
    SHIPPED_PTX("shipped PTX (nvcc 13, driver JIT)"),
    NVRTC("NVRTC (compiled at start-up)");

    private final String description;

    KernelPath(String description) { this.description = description; }

    public String description() { return description; }

    /** What a PTX file asks of the driver and the GPU, read from its header. */
    public record PtxHeader(int isaMajor, int isaMinor, int targetSm) {

        private static final Pattern VERSION = Pattern.compile("(?m)^\\.version\\s+(\\d+)\\.(\\d+)\\s*$");
        private static final Pattern TARGET = Pattern.compile("(?m)^\\.target\\s+sm_(\\d+)");

        public static PtxHeader parse(String ptx) {
            Matcher v = VERSION.matcher(ptx), t = TARGET.matcher(ptx);
            if (!v.find() || !t.find()) throw new IllegalArgumentException("not a PTX file: no .version/.target line");
            return new PtxHeader(Integer.parseInt(v.group(1)), Integer.parseInt(v.group(2)), Integer.parseInt(t.group(1)));
        }

        /**
         * The oldest driver CUDA version (as cuDriverGetVersion reports it, 1000 major + 10 minor) that JIT-compiles
         * this PTX ISA: ISA 8.x came with CUDA 12.x (8.0 = 12.0 ... 8.5 = 12.5, 8.6 = 12.7, 8.7 = 12.8, 8.8 = 12.9),
         * ISA 9.x with CUDA 13.x (9.0 = 13.0, 9.1 = 13.1). Source: NVIDIA cuda-python,
         * get_minimal_required_cuda_ver_from_ptx_ver.
         */
        public int requiredDriverVersion() {
            if (isaMajor >= 9) return 13000 + 10 * (isaMinor);
            if (isaMajor == 8) return isaMinor <= 5 ? 12000 + 10 * isaMinor : 12000 + 10 * (isaMinor + 1);
            if (isaMajor == 7) return 11000 + 10 * isaMinor; // 7.0 = CUDA 11.0 ... 7.8 = CUDA 11.8
            throw new IllegalArgumentException("PTX ISA " + isaMajor + "." + isaMinor + " is older than CUDA 11");
        }

        /** The lowest compute capability (major*10 + minor) the PTX can be JIT-compiled for. */
        public int minimumComputeCapability() { return targetSm; }
    }

    /** The paths to try, in order, with why any path is left out. */
    public record Plan(List<KernelPath> order, List<String> excluded) {
        public boolean possible() { return !order.isEmpty(); }
    }

    /**
     * @param driverVersion     cuDriverGetVersion, e.g. 12040 or 13000
     * @param computeCapability major*10 + minor, e.g. 90
     * @param nvrtcLoads        whether libnvrtc.so.12 (JNvrtc) loaded
     * @param shipped           the header of the shipped PTX
     */
    public static Plan plan(int driverVersion, int computeCapability, boolean nvrtcLoads, PtxHeader shipped) {
        List<KernelPath> order = new ArrayList<>(2);
        List<String> excluded = new ArrayList<>(2);
        boolean ptxOk = true;
        if (driverVersion < shipped.requiredDriverVersion()) {
            ptxOk = false;
            excluded.add("the shipped PTX (ISA " + shipped.isaMajor() + "." + shipped.isaMinor() + ") needs a CUDA "
                    + version(shipped.requiredDriverVersion()) + " driver (580 or newer) but this driver supports CUDA "
                    + version(driverVersion));
        } else if (computeCapability < shipped.minimumComputeCapability()) {
            ptxOk = false;
            excluded.add("the shipped PTX targets compute capability " + cc(shipped.minimumComputeCapability())
                    + " or newer but this GPU has " + cc(computeCapability));
        }
        if (ptxOk) order.add(SHIPPED_PTX);
        if (nvrtcLoads) order.add(NVRTC);
        else excluded.add("libnvrtc.so.12 not found (CUDA 12 NVRTC)");
        return new Plan(order, excluded);
    }

    /** 12040 -> "12.4". */
    public static String version(int cudaVersion) {
        return cudaVersion / 1000 + "." + (cudaVersion % 1000) / 10;
    }

    private static String cc(int c) { return c / 10 + "." + c % 10; }
}
