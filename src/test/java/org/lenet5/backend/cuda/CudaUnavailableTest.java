package org.lenet5.backend.cuda;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Without a GPU: --backend cuda fails with one line naming what is missing; the status says the same. */
class CudaUnavailableTest {

    @Test
    void missingPiecesMakeOneLineWithAdvice() {
        CudaStatus s = new CudaStatus("libcuda.so.1 (NVIDIA driver) not found", null, "libcudnn.so.9 (cuDNN 9) not found", null,
                null, 0, null, 12000, "12.6.4", null, null, null);
        assertFalse(s.usable());
        assertFalse(s.deviceReady());
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, s::requireUsable);
        assertEquals("CUDA backend unavailable: libcuda.so.1 (NVIDIA driver) not found; libcudnn.so.9 (cuDNN 9) not found; "
                + "use --backend cpu, or run the Docker image (docker run --gpus all ..., see README)", e.getMessage());
    }

    @Test
    void aCompleteStackIsUsable() {
        GpuInfo h200 = new GpuInfo(0, "NVIDIA H200", 90, 150_000_000_000L, 132);
        CudaStatus s = new CudaStatus(null, null, null, null, h200, 13000, "580.65.06", 12000, "12.6.4", "9.5.1", null,
                KernelPath.plan(13000, 90, false, KernelSources.shippedPtxHeader()));
        assertTrue(s.usable());
        assertEquals("", s.reason());
        s.requireUsable();
    }

    @Test
    void theProbeOnThisMachineNamesEachMissingLibrary() {
        CudaStatus s = CudaProbe.probe();
        assumeFalse(s.usable(), "this machine has a usable GPU stack (" + s.gpu() + "); the GPU tests cover it");
        for (String p : s.problems()) {
            assertFalse(p.contains("\n"), p);
            assertTrue(p.matches(".*(lib\\w+\\.so\\.\\d+|GPU|driver|kernels).*"), "names what is missing: " + p);
        }
        if (s.gpu() == null) assertNotNull(s.deviceProblem());
    }

    @Test
    void cudaBackendFailsWithTheOneLineErrorWhenTheGpuStackIsMissing() {
        CudaStatus s = CudaProbe.probe();
        assumeFalse(s.usable(), "this machine has a usable GPU stack (" + s.gpu() + "); the GPU tests cover it");
        UserException e = assertThrows(UserException.class, () -> Backends.create(
                new BackendOptions(BackendKind.CUDA, 1, false), ModelSpec.flux(),
                Preprocessing.forArchitecture(ModelSpec.flux().arch(), 28, 28), 8, System.err));
        assertEquals("CUDA backend unavailable: " + s.reason() + "; " + CudaUnavailableException.ADVICE, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        if (s.deviceProblem() != null && s.deviceProblem().contains("libcuda.so.1"))
            assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    }
}
