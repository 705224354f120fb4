package org.lenet5.cli;

import org.lenet5.backend.cuda.Bytes;
import org.lenet5.backend.cuda.CudaProbe;
import org.lenet5.backend.cuda.CudaStatus;
import org.lenet5.backend.cuda.GpuInfo;
import org.lenet5.backend.cuda.KernelPath;
import org.lenet5.util.MachineInfo;
import org.lenet5.util.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** lenet5 info: what this machine offers the backends (Java, CPU, memory, and the GPU stack or why it is missing). */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show Java, OS, CPU and memory, and the GPU with its driver, CUDA runtime, cuBLAS and cuDNN versions "
                + "(or why the CUDA backend cannot run here).")
public final class InfoCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : format(MachineInfo.collect(), CudaProbe.probe())) out.println(line);
        out.flush();
    }

    /** The report, one fact per line. */
    static List<String> format(MachineInfo host, CudaStatus s) {
        List<String> lines = new ArrayList<>();
        lines.add("lenet5 " + Version.get());
        lines.add(row("Java", host.java() + ", max heap " + Bytes.format(host.maxHeapBytes())));
        lines.add(row("OS", host.os() + " (" + host.arch() + ")"));
        lines.add(row("CPU", host.cpuModel() + ", " + host.logicalCores() + (host.logicalCores() == 1 ? " core" : " cores")
                + (host.cpuFeatures().isEmpty() ? "" : " (" + host.cpuFeatures() + ")")));
        lines.add(row("Memory", host.memoryBytes() <= 0 ? "unknown" : Bytes.format(host.memoryBytes())));
        GpuInfo gpu = s.gpu();
        if (gpu == null) {
            lines.add(row("GPU", "none (" + s.deviceProblem() + ")"));
        } else {
            lines.add(row("GPU " + gpu.ordinal(), gpu.name() + ", compute capability " + gpu.computeCapabilityText() + ", "
                    + Bytes.format(gpu.totalMemory()) + ", " + gpu.multiprocessors() + " SMs"));
            lines.add(row("Driver", (s.driverRelease() == null ? "NVIDIA" : s.driverRelease())
                    + " (supports CUDA " + KernelPath.version(s.driverVersion()) + ")"));
        }
        if (s.runtimeVersion() > 0)
            lines.add(row("CUDA runtime", KernelPath.version(s.runtimeVersion()) + " (built into JCuda)"));
        lines.add(row("cuBLAS", s.cublasVersion() != null ? s.cublasVersion() : "missing: " + s.cublasProblem()));
        lines.add(row("cuDNN", s.cudnnVersion() != null && s.cudnnProblem() == null ? s.cudnnVersion()
                : "missing: " + s.cudnnProblem()));
        lines.add(row("NVRTC", s.nvrtcVersion() != null ? s.nvrtcVersion() : "not found (libnvrtc.so.12; needed only with drivers before 580)"));
        if (s.kernelPlan() != null) {
            lines.add(row("Kernels", s.kernelPlan().possible()
                    ? s.kernelPlan().order().get(0).description()
                    + (s.kernelPlan().order().size() > 1 ? ", then " + s.kernelPlan().order().get(1).description() : "")
                    : "cannot load: " + String.join("; ", s.kernelPlan().excluded())));
        }
        lines.add(row("CUDA backend", s.usable() ? "ready" : "unavailable: " + s.reason()));
        return lines;
    }

    private static String row(String key, String value) {
        return String.format("%-13s %s", key, value);
    }
}
