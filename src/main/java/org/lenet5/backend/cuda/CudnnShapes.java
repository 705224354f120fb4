package org.lenet5.backend.cuda;

import org.lenet5.model.ModelSpec;

/**
 * The output sizes cuDNN computes for our descriptors, by the formulas its documentation gives
 * (cudnnGetConvolution2dForwardOutputDim, cudnnGetPooling2dForwardOutputDim), so the host can check, before
 * any device call, that the descriptors it builds describe the network ModelSpec describes.
 */
public final class CudnnShapes {

    private CudnnShapes() {}

    /** Convolution: 1 + (in + 2 pad - ((filter - 1) dilation + 1)) / stride. */
    public static int convolutionOutput(int in, int filter, int pad, int stride, int dilation) {
        return 1 + (in + 2 * pad - ((filter - 1) * dilation + 1)) / stride;
    }

    /** Pooling: 1 + (in + 2 pad - window) / stride. */
    public static int poolingOutput(int in, int window, int pad, int stride) {
        return 1 + (in + 2 * pad - window) / stride;
    }

    /** LeNet's convolutions: 5x5, no padding, stride 1, no dilation. */
    public static int lenetConvolution(int in) {
        return convolutionOutput(in, ModelSpec.KERNEL, 0, 1, 1);
    }

    /** LeNet's pooling: 2x2 window, stride 2, no padding. */
    public static int lenetPooling(int in) {
        return poolingOutput(in, 2, 0, 2);
    }

    /**
     * Checks that cuDNN's shape arithmetic gives the spec's shapes at every layer; throws naming the first
     * layer and dimension that differ.
     */
    public static void requireMatches(ModelSpec spec) {
        check("conv1 height", lenetConvolution(spec.inputHeight()), spec.conv1H());
        check("conv1 width", lenetConvolution(spec.inputWidth()), spec.conv1W());
        check("pool1 height", lenetPooling(spec.conv1H()), spec.pool1H());
        check("pool1 width", lenetPooling(spec.conv1W()), spec.pool1W());
        check("conv2 height", lenetConvolution(spec.pool1H()), spec.conv2H());
        check("conv2 width", lenetConvolution(spec.pool1W()), spec.conv2W());
        check("pool2 height", lenetPooling(spec.conv2H()), spec.pool2H());
        check("pool2 width", lenetPooling(spec.conv2W()), spec.pool2W());
    }

    private static void check(String what, int cudnn, int spec) {
        if (cudnn != spec)
            throw new IllegalStateException(what + ": cuDNN would compute " + cudnn + " but the model has " + spec);
    }
}
