package org.lenet5.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CudaProbeTest {

    @Test
    void driverReleaseIsReadFromTheKernelModuleLine() {
        assertEquals("580.65.06", CudaProbe.parseDriverRelease(
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:29 UTC 2025\nGCC version:  gcc 12"));
        assertEquals("550.127.05", CudaProbe.parseDriverRelease(
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.127.05  Release Build  (dvs-builder@U16)"));
        assertNull(CudaProbe.parseDriverRelease("no driver here"));
    }

    @Test
    void cudnnVersionNumbersOfBothEncodingsAreDecoded() {
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{9, 5, 1}, CudaProbe.cudnnVersion(90501));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{9, 10, 2}, CudaProbe.cudnnVersion(91002));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{8, 9, 2}, CudaProbe.cudnnVersion(8902));
    }

    @Test
    void probingNeverThrowsAndAlwaysExplainsAMissingPiece() {
        CudaStatus s = CudaProbe.probe();
        assertEquals(s.problems().isEmpty(), s.usable());
        if (s.gpu() == null) assertNotNull(s.deviceProblem(), "no GPU needs a reason");
        if (s.cudnnVersion() == null) assertNotNull(s.cudnnProblem());
        if (s.cublasVersion() == null) assertNotNull(s.cublasProblem());
    }
}
