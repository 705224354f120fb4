package org.lenet5.backend.cuda;

import org.lenet5.util.GpuDescription;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaGpuProbeTest {

    @Test
    void aProbedGpuFillsEveryRowOfTheEnvironmentTable() {
        GpuInfo gpu = new GpuInfo(0, "NVIDIA H200", 90, 150_000_000_000L, 132);
        CudaStatus s = new CudaStatus(null, null, null, null, gpu, 13000, "580.65.06", 12000, "12.6.4", "9.5.1", "12.6", null);
        GpuDescription d = CudaGpuProbe.describe(s);
        assertEquals("NVIDIA H200 (compute capability 9.0)", d.name());
        assertEquals("139.7 GiB", d.memory());
        assertEquals("580.65.06 (CUDA 13.0)", d.driver());
        assertEquals("runtime 12.0", d.cuda());
        assertEquals("9.5.1", d.cudnn());
        assertEquals("12.6.4", d.cublas());
    }

    @Test
    void aMissingLibraryIsNamedInItsRow() {
        GpuInfo gpu = new GpuInfo(0, "NVIDIA A100", 80, 40L << 30, 108);
        CudaStatus s = new CudaStatus(null, null, "libcudnn.so.9 (cuDNN 9) not found", null, gpu, 12040, null, 12000,
                "12.4.5", null, null, null);
        GpuDescription d = CudaGpuProbe.describe(s);
        assertEquals("missing: libcudnn.so.9 (cuDNN 9) not found", d.cudnn());
        assertEquals("unknown release (CUDA 12.4)", d.driver());
    }

    @Test
    void withoutAGpuTheTableSaysNoneAndWhy() {
        // This machine kind has no NVIDIA driver; on a GPU machine the probe finds the GPU instead.
        GpuDescription d = new CudaGpuProbe().describe();
        if (CudaProbe.probe().gpu() != null) {
            assertTrue(d.present(), d.toString());
        } else {
            assertEquals(GpuDescription.NONE, d.name());
            assertTrue(d.rows().get("GPU").startsWith("none ("), d.rows().toString());
        }
    }
}
