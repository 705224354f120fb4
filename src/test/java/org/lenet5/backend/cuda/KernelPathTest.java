package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.KernelPath.Plan;
import org.lenet5.backend.cuda.KernelPath.PtxHeader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Which way our kernels reach the GPU, by driver version, GPU and NVRTC presence. */
class KernelPathTest {

    private static final PtxHeader SHIPPED = KernelSources.shippedPtxHeader();

    @Test
    void shippedPtxIsIsa90ForSm75AndNeedsACuda13Driver() {
        assertEquals(new PtxHeader(9, 0, 75), SHIPPED);
        assertEquals(13000, SHIPPED.requiredDriverVersion());
    }

    @Test
    void ptxIsaMapsToTheDriverThatFirstShippedIt() {
        assertEquals(12000, new PtxHeader(8, 0, 52).requiredDriverVersion());
        assertEquals(12050, new PtxHeader(8, 5, 52).requiredDriverVersion());
        assertEquals(12070, new PtxHeader(8, 6, 52).requiredDriverVersion(), "ISA 8.6 came with CUDA 12.7");
        assertEquals(12090, new PtxHeader(8, 8, 52).requiredDriverVersion());
        assertEquals(13010, new PtxHeader(9, 1, 75).requiredDriverVersion());
        assertEquals(11080, new PtxHeader(7, 8, 52).requiredDriverVersion());
    }

    @Test
    void aCuda13DriverUsesTheShippedPtxFirstAndNvrtcAsFallback() {
        Plan p = KernelPath.plan(13000, 90, true, SHIPPED);
        assertEquals(List.of(KernelPath.SHIPPED_PTX, KernelPath.NVRTC), p.order());
        assertTrue(p.excluded().isEmpty());
        assertEquals(List.of(KernelPath.SHIPPED_PTX), KernelPath.plan(13000, 90, false, SHIPPED).order(),
                "no NVRTC needed with a driver of 580 or newer");
    }

    @Test
    void aCuda12DriverCompilesWithNvrtc() {
        Plan p = KernelPath.plan(12040, 90, true, SHIPPED);
        assertEquals(List.of(KernelPath.NVRTC), p.order());
        assertTrue(p.excluded().get(0).contains("580"), p.excluded().toString());
    }

    @Test
    void aCuda12DriverWithoutNvrtcCannotLoadTheKernelsAndSaysWhy() {
        Plan p = KernelPath.plan(12040, 90, false, SHIPPED);
        assertFalse(p.possible());
        String why = String.join("; ", p.excluded());
        assertTrue(why.contains("needs a CUDA 13.0 driver (580 or newer) but this driver supports CUDA 12.4"), why);
        assertTrue(why.contains("libnvrtc.so.12"), why);
    }

    @Test
    void aGpuOlderThanTheShippedPtxTargetNeedsNvrtc() {
        Plan p = KernelPath.plan(13000, 61, true, SHIPPED);
        assertEquals(List.of(KernelPath.NVRTC), p.order());
        assertTrue(p.excluded().get(0).contains("compute capability 7.5 or newer but this GPU has 6.1"), p.excluded().toString());
    }

    @Test
    void nvrtcBuildsACubinForAKnownArchitectureAndPtxForANewerGpu() {
        int[] cuda126 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};
        assertEquals("sm_90", KernelModule.nvrtcArchitecture(90, cuda126));
        assertEquals("sm_86", KernelModule.nvrtcArchitecture(86, cuda126));
        assertEquals("compute_90", KernelModule.nvrtcArchitecture(120, cuda126), "Blackwell on NVRTC 12.6: PTX for the driver to JIT");
        assertThrows(CudaFailure.class, () -> KernelModule.nvrtcArchitecture(35, cuda126));
    }

    @Test
    void cudaVersionsPrintAsMajorDotMinor() {
        assertEquals("12.4", KernelPath.version(12040));
        assertEquals("13.0", KernelPath.version(13000));
        assertEquals("12.6", KernelPath.version(12060));
    }

    @Test
    void aFileWithoutPtxHeaderIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PtxHeader.parse("// not ptx"));
    }
}
