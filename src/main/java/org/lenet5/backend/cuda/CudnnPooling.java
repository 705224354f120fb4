package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import org.lenet5.model.Pooling;

import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC;

/**
 * 2x2 stride-2 pooling without padding (odd trailing rows/columns dropped, as ModelSpec says):
 * <pre>
 * x (N, C, H, W)  ->  y (N, C, H/2, W/2)          cudnnPoolingForward
 * backward: (y, dy, x) -> dx (N, C, H, W)          cudnnPoolingBackward, beta = 0
 * </pre>
 * Max pooling's backward with CUDNN_POOLING_MAX is documented as not bit-reproducible, so --deterministic uses
 * CUDNN_POOLING_MAX_DETERMINISTIC. Average pooling has no padding here, so "include padding" changes nothing.
 */
final class CudnnPooling implements AutoCloseable {

    private final CudaContext ctx;
    private final String name;
    private final TensorDesc x, y;   // x (N, C, H, W), y (N, C, H/2, W/2)
    private final cudnnPoolingDescriptor pooling = new cudnnPoolingDescriptor();
    private final Resources resources = new Resources();

    CudnnPooling(CudaContext ctx, String name, Pooling kind, int c, int h, int w, int maxBatch, boolean deterministic) {
        this.ctx = ctx;
        this.name = name;
        try {
            x = resources.add(new TensorDesc(maxBatch, c, h, w));
            y = resources.add(new TensorDesc(maxBatch, c, CudnnShapes.lenetPooling(h), CudnnShapes.lenetPooling(w)));
            int mode = kind == Pooling.AVERAGE ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                    : deterministic ? CUDNN_POOLING_MAX_DETERMINISTIC : CUDNN_POOLING_MAX;
            CudaErrors.cudnn(JCudnn.cudnnCreatePoolingDescriptor(pooling), "cudnnCreatePoolingDescriptor", this);
            resources.add(() -> CudaErrors.cudnn(JCudnn.cudnnDestroyPoolingDescriptor(pooling), "cudnnDestroyPoolingDescriptor", this));
            CudaErrors.cudnn(JCudnn.cudnnSetPooling2dDescriptor(pooling, mode, CUDNN_PROPAGATE_NAN, 2, 2, 0, 0, 2, 2),
                    "cudnnSetPooling2dDescriptor", this);
            int[] n = new int[1], cc = new int[1], hh = new int[1], ww = new int[1];
            CudaErrors.cudnn(JCudnn.cudnnGetPooling2dForwardOutputDim(pooling, x.descriptor, n, cc, hh, ww),
                    "cudnnGetPooling2dForwardOutputDim", this);
            if (hh[0] != CudnnShapes.lenetPooling(h) || ww[0] != CudnnShapes.lenetPooling(w))
                throw new IllegalStateException(name + ": cuDNN pools to " + hh[0] + "x" + ww[0] + " but the model has " + y);
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    void setBatch(int n) {
        x.setBatch(n);
        y.setBatch(n);
    }

    void forward(Pointer xData, Pointer yData) {
        CudaErrors.cudnn(JCudnn.cudnnPoolingForward(ctx.cudnn, pooling, Scalars.one(), x.descriptor, xData, Scalars.zero(),
                y.descriptor, yData), "cudnnPoolingForward", this);
    }

    /** dx from (y, dy, x). */
    void backward(Pointer yData, Pointer dy, Pointer xData, Pointer dx) {
        CudaErrors.cudnn(JCudnn.cudnnPoolingBackward(ctx.cudnn, pooling, Scalars.one(), y.descriptor, yData, y.descriptor, dy,
                x.descriptor, xData, Scalars.zero(), x.descriptor, dx), "cudnnPoolingBackward", this);
    }

    @Override
    public void close() { resources.close(); }

    @Override public String toString() { return name + ": x " + x + ", y " + y; }
}
