package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import org.lenet5.model.Activation;

import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_TANH;
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;

/**
 * The hidden layers' activation, elementwise over x (N, C, H, W) (dense layers as (N, F, 1, 1)):
 * <pre>
 * ReLU:        y = max(0, x)                  cudnnActivationForward(RELU)
 *              dx = dy where x > 0, else 0    cudnnActivationBackward(RELU), so ReLU'(0) = 0
 * scaled tanh: s = S x                        cudnnAddTensor(alpha = S, beta = 0)      S = 2/3
 *              t = tanh(s)                    cudnnActivationForward(TANH)
 *              y = A t                        cudnnAddTensor(alpha = A, beta = 0)      A = 1.7159
 *              dx = A S (1 - t^2) dy          cudnnActivationBackward(TANH, alpha = A S, y = t, x = s)
 * </pre>
 * cuDNN's activations take no input scale (alpha scales the result), hence the separate s; cuDNN's tanh
 * backward computes its derivative from its own output, hence t is kept rather than recomputed from y.
 */
final class CudnnActivation implements AutoCloseable {

    private final CudaContext ctx;
    private final String name;
    private final Activation kind;
    private final TensorDesc tensor;                 // (N, C, H, W)
    private final cudnnActivationDescriptor activation = new cudnnActivationDescriptor();
    private final DeviceBuffer scaled, tanh;         // scaled tanh only: s and t, (maxBatch, C, H, W) each
    private final Resources resources = new Resources();

    CudnnActivation(CudaContext ctx, String name, Activation kind, int c, int h, int w, int maxBatch) {
        this.ctx = ctx;
        this.name = name;
        this.kind = kind;
        try {
            tensor = resources.add(new TensorDesc(maxBatch, c, h, w));
            CudaErrors.cudnn(JCudnn.cudnnCreateActivationDescriptor(activation), "cudnnCreateActivationDescriptor", this);
            resources.add(() -> CudaErrors.cudnn(JCudnn.cudnnDestroyActivationDescriptor(activation),
                    "cudnnDestroyActivationDescriptor", this));
            int mode = kind == Activation.RELU ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_TANH;
            CudaErrors.cudnn(JCudnn.cudnnSetActivationDescriptor(activation, mode, CUDNN_PROPAGATE_NAN, 0.0),
                    "cudnnSetActivationDescriptor", this);
            if (kind == Activation.SCALED_TANH) {
                String shape = "(" + maxBatch + ", " + c + ", " + h + ", " + w + ")";
                long size = (long) maxBatch * c * h * w;
                scaled = resources.add(DeviceBuffer.allocate(name + " S*x", shape, DeviceBuffer.Type.FLOAT, size));
                tanh = resources.add(DeviceBuffer.allocate(name + " tanh(S*x)", shape, DeviceBuffer.Type.FLOAT, size));
            } else {
                scaled = null;
                tanh = null;
            }
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    void setBatch(int n) { tensor.setBatch(n); }

    void forward(Pointer x, Pointer y) {
        var t = tensor.descriptor;
        if (kind == Activation.RELU) {
            CudaErrors.cudnn(JCudnn.cudnnActivationForward(ctx.cudnn, activation, Scalars.one(), t, x, Scalars.zero(), t, y),
                    "cudnnActivationForward (relu)", this);
            return;
        }
        CudaErrors.cudnn(JCudnn.cudnnAddTensor(ctx.cudnn, Scalars.of((float) Activation.TANH_S), t, x, Scalars.zero(), t,
                scaled.pointer()), "cudnnAddTensor (S*x)", this);
        CudaErrors.cudnn(JCudnn.cudnnActivationForward(ctx.cudnn, activation, Scalars.one(), t, scaled.pointer(),
                Scalars.zero(), t, tanh.pointer()), "cudnnActivationForward (tanh)", this);
        CudaErrors.cudnn(JCudnn.cudnnAddTensor(ctx.cudnn, Scalars.of((float) Activation.TANH_A), t, tanh.pointer(),
                Scalars.zero(), t, y), "cudnnAddTensor (A*tanh)", this);
    }

    /** dx from the forward's x and y and the incoming dy; overwritten. */
    void backward(Pointer x, Pointer y, Pointer dy, Pointer dx) {
        var t = tensor.descriptor;
        if (kind == Activation.RELU) {
            CudaErrors.cudnn(JCudnn.cudnnActivationBackward(ctx.cudnn, activation, Scalars.one(), t, y, t, dy, t, x,
                    Scalars.zero(), t, dx), "cudnnActivationBackward (relu)", this);
            return;
        }
        float chain = (float) (Activation.TANH_A * Activation.TANH_S);
        CudaErrors.cudnn(JCudnn.cudnnActivationBackward(ctx.cudnn, activation, Scalars.of(chain), t, tanh.pointer(), t, dy,
                t, scaled.pointer(), Scalars.zero(), t, dx), "cudnnActivationBackward (tanh)", this);
    }

    @Override
    public void close() { resources.close(); }

    @Override public String toString() { return name + " " + kind + " " + tensor; }
}
