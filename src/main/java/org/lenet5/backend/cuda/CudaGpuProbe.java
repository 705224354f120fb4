package org.lenet5.backend.cuda;

import org.lenet5.util.GpuDescription;
import org.lenet5.util.GpuProbe;

import java.util.Locale;

/**
 * The GPU facts for reports as the CUDA backend sees them (through JCuda: GPU, driver, runtime, cuBLAS, cuDNN);
 * when JCuda finds no GPU, nvidia-smi is asked in case it knows more, and otherwise the probe's reason is given.
 */
public final class CudaGpuProbe implements GpuProbe {

    @Override
    public GpuDescription describe() {
        CudaStatus s = CudaProbe.probe();
        if (s.gpu() == null) {
            GpuDescription smi = GpuProbe.nvidiaSmi().describe();
            return smi.present() ? smi : GpuDescription.none(s.deviceProblem() == null ? smi.source() : s.deviceProblem());
        }
        return describe(s);
    }

    static GpuDescription describe(CudaStatus s) {
        GpuInfo g = s.gpu();
        String memory = String.format(Locale.ROOT, "%.1f GiB", g.totalMemory() / (1024.0 * 1024 * 1024));
        String driver = (s.driverRelease() == null ? "unknown release" : s.driverRelease())
                + " (CUDA " + KernelPath.version(s.driverVersion()) + ")";
        String cuda = "runtime " + KernelPath.version(s.runtimeVersion());
        return new GpuDescription(g.name() + " (compute capability " + g.computeCapabilityText() + ")", memory, driver,
                cuda, orProblem(s.cudnnVersion(), s.cudnnProblem()), orProblem(s.cublasVersion(), s.cublasProblem()),
                "JCuda probe");
    }

    private static String orProblem(String version, String problem) {
        if (version != null) return version;
        return problem == null ? "unknown" : "missing: " + problem;
    }
}
