package org.lenet5.backend;

import org.lenet5.backend.cuda.CudaProbe;
import org.lenet5.backend.cuda.CudaStatus;
import org.lenet5.backend.cuda.GpuInfo;
import org.lenet5.backend.cuda.KernelPath;
import org.lenet5.backend.cuda.KernelSources;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * --backend auto: cuda when the GPU stack is usable, else the cpu backend after exactly one notice line that says
 * why. The cpu backend itself is stood in for by a reference backend, so this tests the choice, not the cpu code.
 */
class BackendsAutoTest {

    private static final ModelSpec SPEC = ModelSpec.flux();
    private static final Preprocessing PREP = Preprocessing.forArchitecture(SPEC.arch(), 28, 28);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream notices = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final Backend standIn = new ReferenceBackend(SPEC, PREP, 4);

    @Test
    void withoutADriverAutoNoticesWhyAndUsesTheCpu() {
        CudaStatus noDriver = new CudaStatus("libcuda.so.1 (NVIDIA driver) not found", null, null, null, null, 0, null, 0,
                "12.6.4", "9.5.1", null, null);
        Backend b = Backends.auto(BackendOptions.of(BackendKind.AUTO), SPEC, PREP, 4, notices, noDriver, () -> standIn);
        assertSame(standIn, b);
        assertEquals("notice: --backend auto is using the cpu backend: libcuda.so.1 (NVIDIA driver) not found"
                + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aGpuBackendThatFailsToStartAlsoFallsBackWithItsReason() {
        assumeFalse(CudaProbe.probe().usable(), "a real GPU is present: a made-up usable status would start it");
        GpuInfo gpu = new GpuInfo(0, "made-up GPU", 90, 1L << 34, 100);
        CudaStatus claimsUsable = new CudaStatus(null, null, null, null, gpu, 13000, null, 12000, "12.6.4", "9.5.1", null,
                KernelPath.plan(13000, 90, false, KernelSources.shippedPtxHeader()));
        Backend b = Backends.auto(BackendOptions.of(BackendKind.AUTO), SPEC, PREP, 4, notices, claimsUsable, () -> standIn);
        assertSame(standIn, b);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("notice: --backend auto is using the cpu backend: cudaSetDevice failed for device 0 (made-up GPU)"), text);
        assertEquals(1, text.lines().count(), text);
    }

    @Test
    @org.junit.jupiter.api.Tag("gpu")
    void withTheWholeGpuStackAutoPicksCudaSilently() {
        CudaStatus s = CudaProbe.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(s.usable(), () -> "the CUDA backend cannot run here: " + s.reason());
        try (Backend b = Backends.create(BackendOptions.of(BackendKind.AUTO), SPEC, PREP, 4, notices)) {
            assertEquals("cuda", b.name());
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAGpuAutoBuildsTheRealCpuBackendAfterOneNotice() {
        CudaStatus s = CudaProbe.probe();
        assumeFalse(s.usable(), "this machine has a usable GPU stack; auto picks cuda there");
        try (Backend b = Backends.create(new BackendOptions(BackendKind.AUTO, 1, false), SPEC, PREP, 4, notices)) {
            assertEquals("cpu", b.name());
        }
        assertEquals(Backends.autoFallbackNotice(s.reason()) + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theProbeOnThisMachineDecidesAuto() {
        CudaStatus s = CudaProbe.probe();
        assumeFalse(s.usable(), "this machine has a usable GPU stack; the GPU tests cover auto choosing cuda");
        Backend b = Backends.auto(BackendOptions.of(BackendKind.AUTO), SPEC, PREP, 4, notices, s, () -> standIn);
        assertSame(standIn, b);
        assertEquals(Backends.autoFallbackNotice(s.reason()) + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }
}
