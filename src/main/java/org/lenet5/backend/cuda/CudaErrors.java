package org.lenet5.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.JCudnn;
import jcuda.nvrtc.nvrtcResult;
import jcuda.runtime.cudaError;

/**
 * Checks the status every CUDA, cuDNN, cuBLAS and NVRTC call returns (JCuda's exceptions stay disabled, so
 * nothing is thrown behind our back). A failure becomes a {@link CudaFailure}: "&lt;call&gt; failed for
 * &lt;context&gt;: &lt;status&gt;", where the context (usually a layer object whose toString names its shapes)
 * is only turned into text on failure.
 */
public final class CudaErrors {

    /** Which library a status code comes from; the code spaces overlap. */
    public enum Library { RUNTIME, DRIVER, CUDNN, CUBLAS, NVRTC }

    public static final String OOM_ADVICE = "the GPU is out of memory; try a smaller --batch-size";

    private CudaErrors() {}

    public static void runtime(int status, String call, Object context) { check(Library.RUNTIME, status, call, context); }

    public static void driver(int status, String call, Object context) { check(Library.DRIVER, status, call, context); }

    public static void cudnn(int status, String call, Object context) { check(Library.CUDNN, status, call, context); }

    public static void cublas(int status, String call, Object context) { check(Library.CUBLAS, status, call, context); }

    public static void nvrtc(int status, String call, Object context) { check(Library.NVRTC, status, call, context); }

    public static void check(Library lib, int status, String call, Object context) {
        if (status != 0) throw failure(lib, status, call, context);
    }

    public static CudaFailure failure(Library lib, int status, String call, Object context) {
        boolean oom = outOfMemory(lib, status);
        String msg = call + " failed" + (context == null ? "" : " for " + context) + ": " + statusName(lib, status)
                + (oom ? "; " + OOM_ADVICE : "")
                + (asynchronous(lib, status) ? " (may come from an earlier kernel or library call, which run asynchronously)" : "");
        return new CudaFailure(msg.replace('\n', ' '), oom);
    }

    /** Status codes that mean "out of memory" (cuDNN 8 used 2; cuDNN 9 uses 4003/4004 for host/device). */
    public static boolean outOfMemory(Library lib, int status) {
        return switch (lib) {
            case RUNTIME -> status == cudaError.cudaErrorMemoryAllocation;
            case DRIVER -> status == CUresult.CUDA_ERROR_OUT_OF_MEMORY;
            case CUBLAS -> status == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED;
            case CUDNN -> status == 2 || status == 4003 || status == 4004;
            case NVRTC -> status == nvrtcResult.NVRTC_ERROR_OUT_OF_MEMORY;
        };
    }

    /** Errors a kernel leaves behind and the next synchronising call reports (illegal address, launch failure...). */
    static boolean asynchronous(Library lib, int status) {
        return (lib == Library.RUNTIME || lib == Library.DRIVER) && status >= 700 && status < 800;
    }

    /** The library's own name for a status; cuDNN's comes from cudnnGetErrorString because the 11.7 jar's enum predates cuDNN 9's codes. */
    public static String statusName(Library lib, int status) {
        String name = switch (lib) {
            case RUNTIME -> cudaError.stringFor(status);
            case DRIVER -> CUresult.stringFor(status);
            case CUBLAS -> cublasStatus.stringFor(status);
            case NVRTC -> nvrtcResult.stringFor(status);
            case CUDNN -> cudnnName(status);
        };
        return name + " (" + status + ")";
    }

    private static String cudnnName(int status) {
        try {
            return JCudnn.cudnnGetErrorString(status);
        } catch (LinkageError e) {
            return "cuDNN status";
        }
    }
}
