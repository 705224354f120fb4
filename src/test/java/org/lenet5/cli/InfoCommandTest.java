package org.lenet5.cli;

import org.lenet5.backend.cuda.CudaProbe;
import org.lenet5.backend.cuda.CudaStatus;
import org.lenet5.backend.cuda.GpuInfo;
import org.lenet5.backend.cuda.KernelPath;
import org.lenet5.backend.cuda.KernelSources;
import org.lenet5.util.MachineInfo;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class InfoCommandTest {

    private static final MachineInfo HOST = new MachineInfo("AMD EPYC 7B13", "family 25 model 1, AVX2 FMA", 2, 2, 24L << 30, 6L << 30,
            "17.0.15 (Debian, OpenJDK 64-Bit Server VM)", "Linux 6.1", "amd64");

    @Test
    void infoRunsAndReportsJavaCpuMemoryAndTheCudaBackend() {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("info"));
        String text = out.toString();
        assertTrue(text.contains("Java          " + System.getProperty("java.version")), text);
        assertTrue(text.contains("CPU"), text);
        assertTrue(text.contains(Runtime.getRuntime().availableProcessors() + " core"), text);
        assertTrue(text.contains("Memory"), text);
        CudaStatus s = CudaProbe.probe();
        assertTrue(text.contains("CUDA backend  " + (s.usable() ? "ready" : "unavailable: " + s.reason())), text);
    }

    @Test
    void aGpuMachineShowsDeviceDriverAndLibraryVersions() {
        GpuInfo h200 = new GpuInfo(0, "NVIDIA H200", 90, 150_000_000_000L, 132);
        CudaStatus s = new CudaStatus(null, null, null, null, h200, 13000, "580.65.06", 12000, "12.6.4", "9.5.1", "12.6",
                KernelPath.plan(13000, 90, true, KernelSources.shippedPtxHeader()));
        List<String> lines = InfoCommand.format(HOST, s);
        assertTrue(lines.contains("GPU 0         NVIDIA H200, compute capability 9.0, 139.7 GiB, 132 SMs"), lines.toString());
        assertTrue(lines.contains("Driver        580.65.06 (supports CUDA 13.0)"), lines.toString());
        assertTrue(lines.contains("CUDA runtime  12.0 (built into JCuda)"), lines.toString());
        assertTrue(lines.contains("cuBLAS        12.6.4"), lines.toString());
        assertTrue(lines.contains("cuDNN         9.5.1"), lines.toString());
        assertTrue(lines.contains("NVRTC         12.6"), lines.toString());
        assertTrue(lines.contains("Kernels       shipped PTX (nvcc 13, driver JIT), then NVRTC (compiled at start-up)"), lines.toString());
        assertTrue(lines.contains("CUDA backend  ready"), lines.toString());
        assertTrue(lines.contains("CPU           AMD EPYC 7B13, 2 cores (family 25 model 1, AVX2 FMA)"), lines.toString());
        assertTrue(lines.contains("Memory        24.0 GiB"), lines.toString());
    }

    @Test
    void aMachineWithoutGpuSaysWhyOnOneLinePerPiece() {
        CudaStatus s = new CudaStatus("libcuda.so.1 (NVIDIA driver) not found", "libcublas.so.12 (cuBLAS 12) not found",
                "libcudnn.so.9 (cuDNN 9) not found", null, null, 0, null, 12000, null, null, null, null);
        List<String> lines = InfoCommand.format(HOST, s);
        assertTrue(lines.contains("GPU           none (libcuda.so.1 (NVIDIA driver) not found)"), lines.toString());
        assertTrue(lines.contains("cuBLAS        missing: libcublas.so.12 (cuBLAS 12) not found"), lines.toString());
        assertTrue(lines.contains("cuDNN         missing: libcudnn.so.9 (cuDNN 9) not found"), lines.toString());
        assertTrue(lines.get(lines.size() - 1).startsWith("CUDA backend  unavailable: libcuda.so.1"), lines.toString());
        for (String l : lines) assertFalse(l.contains("\n"));
    }
}
