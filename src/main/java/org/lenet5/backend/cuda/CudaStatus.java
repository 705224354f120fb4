package org.lenet5.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link CudaProbe} found: for each piece the CUDA backend needs, either its version or the one-line
 * problem. A null problem means that piece is usable.
 *
 * @param deviceProblem    driver (libcuda.so.1), GPU, or a driver too old for the CUDA 12 runtime
 * @param cublasProblem    libcublas.so.12
 * @param cudnnProblem     libcudnn.so.9
 * @param kernelProblem    neither the shipped PTX nor NVRTC can load our kernels
 * @param gpu              device 0, or null
 * @param driverVersion    CUDA version the driver supports (cuDriverGetVersion, e.g. 13000), 0 if unknown
 * @param driverRelease    the NVIDIA driver release from /proc/driver/nvidia/version (e.g. "580.65.06"), or null
 * @param runtimeVersion   the CUDA runtime JCuda links statically (cudaRuntimeGetVersion), 0 if unknown
 * @param cublasVersion    e.g. "12.6.4", or null
 * @param cudnnVersion     e.g. "9.5.1", or null
 * @param nvrtcVersion     e.g. "12.6", or null when libnvrtc.so.12 is missing
 * @param kernelPlan       how the kernels would be loaded, or null without a GPU
 */
public record CudaStatus(String deviceProblem, String cublasProblem, String cudnnProblem, String kernelProblem,
                         GpuInfo gpu, int driverVersion, String driverRelease, int runtimeVersion,
                         String cublasVersion, String cudnnVersion, String nvrtcVersion, KernelPath.Plan kernelPlan) {

    /** Everything the CUDA backend needs is there. */
    public boolean usable() { return problems().isEmpty(); }

    /** A GPU and a driver that the CUDA runtime accepts. */
    public boolean deviceReady() { return deviceProblem == null; }

    public boolean cudnnReady() { return deviceReady() && cudnnProblem == null; }

    public boolean cublasReady() { return deviceReady() && cublasProblem == null; }

    public boolean kernelsReady() { return deviceReady() && kernelProblem == null; }

    public List<String> problems() {
        List<String> p = new ArrayList<>(4);
        if (deviceProblem != null) p.add(deviceProblem);
        if (cublasProblem != null) p.add(cublasProblem);
        if (cudnnProblem != null) p.add(cudnnProblem);
        if (kernelProblem != null) p.add(kernelProblem);
        return p;
    }

    /** Everything that is missing, on one line (empty when usable). */
    public String reason() { return String.join("; ", problems()); }

    /** Throws the one-line "CUDA backend unavailable: ..." error unless usable. */
    public void requireUsable() {
        if (!usable()) throw new CudaUnavailableException(reason());
    }
}
