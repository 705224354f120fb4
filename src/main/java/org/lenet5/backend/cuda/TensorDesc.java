package org.lenet5.backend.cuda;

import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnTensorDescriptor;

import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

/** A float NCHW cuDNN tensor descriptor (n, c, h, w) whose batch size n is set per batch. */
final class TensorDesc implements AutoCloseable {

    final cudnnTensorDescriptor descriptor = new cudnnTensorDescriptor();
    private final int c, h, w;
    private int n;
    private boolean created;

    TensorDesc(int n, int c, int h, int w) {
        this.c = c;
        this.h = h;
        this.w = w;
        CudaErrors.cudnn(JCudnn.cudnnCreateTensorDescriptor(descriptor), "cudnnCreateTensorDescriptor", null);
        created = true;
        set(n);
    }

    /** Sets the batch size (the other dimensions are fixed). */
    void setBatch(int batch) {
        if (batch != n) set(batch);
    }

    private void set(int batch) {
        n = batch;
        CudaErrors.cudnn(JCudnn.cudnnSetTensor4dDescriptor(descriptor, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w),
                "cudnnSetTensor4dDescriptor", this);
    }

    @Override
    public void close() {
        if (!created) return;
        created = false;
        CudaErrors.cudnn(JCudnn.cudnnDestroyTensorDescriptor(descriptor), "cudnnDestroyTensorDescriptor", this);
    }

    @Override public String toString() { return "(" + n + ", " + c + ", " + h + ", " + w + ")"; }
}
