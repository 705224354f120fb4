package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.runtime.JCuda;

import static jcuda.jcublas.cublasMath.CUBLAS_DEFAULT_MATH;

/**
 * The GPU the backend runs on: device 0's primary context (shared by the runtime API, which cuDNN and cuBLAS
 * use, and the driver API, which launches our kernels), one cuDNN handle and one cuBLAS handle.
 * Everything runs on the default stream, so the order of calls is the order of execution.
 */
final class CudaContext implements AutoCloseable {

    final GpuInfo gpu;
    final cudnnHandle cudnn = new cudnnHandle();
    final cublasHandle cublas = new cublasHandle();
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private boolean retained, cudnnCreated, cublasCreated;

    CudaContext(GpuInfo gpu) {
        this(gpu, true, true);
    }

    /**
     * @param withCudnn  create the cuDNN handle (needs libcudnn.so.9)
     * @param withCublas create the cuBLAS handle (needs libcublas.so.12); tests of our kernels alone need neither
     */
    CudaContext(GpuInfo gpu, boolean withCudnn, boolean withCublas) {
        this.gpu = gpu;
        try {
            int ordinal = gpu.ordinal();
            String what = "device " + ordinal + " (" + gpu.name() + ")";
            // The runtime creates (or reuses) the device's primary context; the driver API then retains the same one.
            CudaErrors.runtime(JCuda.cudaSetDevice(ordinal), "cudaSetDevice", what);
            CudaErrors.runtime(JCuda.cudaFree(new Pointer()), "cudaFree(NULL) to initialise the runtime", what);
            CudaErrors.driver(JCudaDriver.cuInit(0), "cuInit", what);
            CudaErrors.driver(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet", what);
            CudaErrors.driver(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain", what);
            retained = true;
            makeCurrent();
            if (withCudnn) {
                CudaErrors.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate", what);
                cudnnCreated = true;
            }
            if (withCublas) {
                CudaErrors.cublas(JCublas2.cublasCreate(cublas), "cublasCreate", what);
                cublasCreated = true;
                // Default math: FP32 sgemm without TF32 tensor cores, so dense layers keep float32 accuracy.
                CudaErrors.cublas(JCublas2.cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode", what);
            }
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Makes this context current on the calling thread (the trainer may call from any one thread). */
    void makeCurrent() {
        CudaErrors.driver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent", gpu.name());
    }

    /** Waits for all queued work; used where a host read does not synchronise by itself. */
    void synchronize(Object context) {
        CudaErrors.runtime(JCuda.cudaDeviceSynchronize(), "cudaDeviceSynchronize", context);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        if (cublasCreated) {
            cublasCreated = false;
            first = collect(first, () -> CudaErrors.cublas(JCublas2.cublasDestroy(cublas), "cublasDestroy", gpu.name()));
        }
        if (cudnnCreated) {
            cudnnCreated = false;
            first = collect(first, () -> CudaErrors.cudnn(JCudnn.cudnnDestroy(cudnn), "cudnnDestroy", gpu.name()));
        }
        if (retained) {
            retained = false;
            first = collect(first, () -> CudaErrors.driver(JCudaDriver.cuDevicePrimaryCtxRelease(device),
                    "cuDevicePrimaryCtxRelease", gpu.name()));
        }
        if (first != null) throw first;
    }

    private static RuntimeException collect(RuntimeException first, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            if (first == null) return e;
            first.addSuppressed(e);
        }
        return first;
    }

    @Override public String toString() { return gpu.name(); }
}
