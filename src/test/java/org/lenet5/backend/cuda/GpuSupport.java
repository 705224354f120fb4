package org.lenet5.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the GPU tests (JUnit tag "gpu") need, each as an assumption whose message is the reason: without it the
 * test is reported as skipped with that reason (e.g. "no CUDA device: libcuda.so.1 (NVIDIA driver) not found"),
 * never passed. Each test asks only for what it uses, so a machine with a GPU but no cuBLAS 12 still runs the
 * kernel and cuDNN tests.
 */
final class GpuSupport {

    private GpuSupport() {}

    static CudaStatus status() { return CudaProbe.probe(); }

    static CudaStatus requireDevice() {
        CudaStatus s = status();
        assumeTrue(s.deviceReady(), () -> "no CUDA device: " + s.deviceProblem());
        return s;
    }

    static CudaStatus requireKernels() {
        CudaStatus s = requireDevice();
        assumeTrue(s.kernelsReady(), () -> "our kernels cannot load here: " + s.kernelProblem());
        return s;
    }

    static CudaStatus requireCudnn() {
        CudaStatus s = requireDevice();
        assumeTrue(s.cudnnReady(), () -> "no cuDNN 9: " + s.cudnnProblem());
        return s;
    }

    static CudaStatus requireCublas() {
        CudaStatus s = requireDevice();
        assumeTrue(s.cublasReady(), () -> "no cuBLAS 12: " + s.cublasProblem());
        return s;
    }

    static CudaStatus requireAll() {
        CudaStatus s = status();
        assumeTrue(s.usable(), () -> "the CUDA backend cannot run here: " + s.reason());
        return s;
    }
}
