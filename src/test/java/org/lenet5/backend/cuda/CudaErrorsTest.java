package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.CudaErrors.Library;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CudaErrorsTest {

    @Test
    void successPassesAndFailureNamesTheCallTheShapesAndTheStatus() {
        CudaErrors.runtime(0, "cudaMemcpy", "never formatted");
        CudaFailure f = assertThrows(CudaFailure.class,
                () -> CudaErrors.cublas(7, "cublasSgemm", "fc1: x (32, 256), W (120, 256), y (32, 120)"));
        assertEquals("cublasSgemm failed for fc1: x (32, 256), W (120, 256), y (32, 120): CUBLAS_STATUS_INVALID_VALUE (7)", f.getMessage());
        assertFalse(f.outOfMemory());
    }

    @Test
    void outOfMemoryFromEveryLibrarySuggestsASmallerBatch() {
        assertTrue(CudaErrors.outOfMemory(Library.RUNTIME, 2));          // cudaErrorMemoryAllocation
        assertTrue(CudaErrors.outOfMemory(Library.DRIVER, 2));           // CUDA_ERROR_OUT_OF_MEMORY
        assertTrue(CudaErrors.outOfMemory(Library.CUBLAS, 3));           // CUBLAS_STATUS_ALLOC_FAILED
        assertTrue(CudaErrors.outOfMemory(Library.CUDNN, 4004));         // cuDNN 9 device allocation failed
        assertTrue(CudaErrors.outOfMemory(Library.CUDNN, 4003));         // cuDNN 9 host allocation failed
        assertTrue(CudaErrors.outOfMemory(Library.CUDNN, 2));            // cuDNN 8 CUDNN_STATUS_ALLOC_FAILED
        assertFalse(CudaErrors.outOfMemory(Library.CUDNN, 2000));        // cuDNN 9 BAD_PARAM
        assertFalse(CudaErrors.outOfMemory(Library.RUNTIME, 700));

        CudaFailure f = CudaErrors.failure(Library.RUNTIME, 2, "cudaMalloc", "conv1 output (60000, 6, 24, 24)");
        assertTrue(f.outOfMemory());
        assertTrue(f.getMessage().startsWith("cudaMalloc failed for conv1 output (60000, 6, 24, 24): cudaErrorMemoryAllocation (2)"), f.getMessage());
        assertTrue(f.getMessage().endsWith("try a smaller --batch-size"), f.getMessage());
    }

    @Test
    void cudnn9StatusCodesKeepTheirNumberEvenWhereTheOldJarHasNoName() {
        String s = CudaErrors.failure(Library.CUDNN, 2000, "cudnnConvolutionForward", "conv2").getMessage();
        assertTrue(s.contains("(2000)"), s);
    }

    @Test
    void errorsFromEarlierAsynchronousWorkSaySo() {
        String s = CudaErrors.failure(Library.RUNTIME, 700, "cudaMemcpy to the host", "batch totals (2)").getMessage();
        assertTrue(s.contains("cudaErrorIllegalAddress (700)"), s);
        assertTrue(s.contains("asynchronously"), s);
        assertFalse(s.contains("\n"));
    }

    @Test
    void messagesAreOneLine() {
        assertFalse(CudaErrors.failure(Library.NVRTC, 6, "nvrtcCompileProgram", "optimizer.cu\nline 2").getMessage().contains("\n"));
    }
}
