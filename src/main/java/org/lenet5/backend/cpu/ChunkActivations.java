package org.lenet5.backend.cpu;

import org.lenet5.model.Activation;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Pooling;

import static org.lenet5.backend.cpu.Gemm.PAD;
import static org.lenet5.model.ModelSpec.C1;
import static org.lenet5.model.ModelSpec.C2;
import static org.lenet5.model.ModelSpec.CLASSES;
import static org.lenet5.model.ModelSpec.F1;
import static org.lenet5.model.ModelSpec.F2;

/**
 * The forward-pass state of up to {@code capacity} images (one chunk), kept until the next forward pass so the
 * backward pass and {@link #copyOutput} can read it. Layouts are those of {@link CpuLayers}, for the chunk's
 * actual image count n (so a (6, n, H, W) buffer is compact for n). Every buffer is PAD floats longer than its
 * largest use, for the vector kernels.
 */
final class ChunkActivations {

    final int capacity;
    /** Images in the chunk for the last forward pass. */
    int count;
    /** Summed loss and correct count of those images. */
    double lossSum;
    int correct;
    /** Dataset index and label of each image. */
    final int[] images, labels;

    final float[] input;                    // (n, H, W)
    /**
     * ReLU followed by max pooling (flux): the pooling takes the ReLU of the window maxima of conv1 and conv2,
     * so act1 and act2 are not kept (null) and copyOutput computes them from conv1 and conv2.
     */
    final boolean fusedReluMaxPool;
    final float[] conv1, act1, deriv1;      // (6, n, H, W) grid; deriv1 only for the scaled tanh
    final float[] pool1;                    // (n, 6, P1h, P1w)
    final float[] argmax1;                  // (n, 6, P1h, P1w), max pooling: the window position that won, 0-3
    final float[] conv2, act2, deriv2;      // (16, n, OH2, OW2)
    final float[] pool2;                    // (n, flat)
    final float[] argmax2;                  // (n, flat)
    final float[] fc1, act3, deriv3;        // (n, 120)
    final float[] fc2, act4, deriv4;        // (n, 84)
    final float[] logits, probabilities;    // (n, 10)
    /**
     * Training: the loss gradient at each dense layer's pre-activation output, left by the backward pass for the
     * update, which forms the dense weight gradients over the whole batch (CpuLayers.denseWeightGradient).
     */
    final float[] dLogits;                  // (n, 10)
    final float[] dFc2;                     // (n, 84)
    final float[] dFc1;                     // (n, 120)

    private final ModelSpec spec;

    ChunkActivations(ModelSpec spec, int capacity) {
        this.spec = spec;
        this.capacity = capacity;
        boolean tanh = spec.activation() == Activation.SCALED_TANH;
        int grid = C1 * spec.inputSize();
        int conv2Size = spec.outputSize(LayerOutput.CONV2);
        images = new int[capacity];
        labels = new int[capacity];
        input = buffer(capacity * spec.inputSize());
        fusedReluMaxPool = spec.activation() == Activation.RELU && spec.pooling() == Pooling.MAX;
        conv1 = buffer(capacity * grid);
        act1 = fusedReluMaxPool ? null : buffer(capacity * grid);
        deriv1 = tanh ? buffer(capacity * grid) : null;
        pool1 = buffer(capacity * spec.outputSize(LayerOutput.POOL1));
        argmax1 = buffer(capacity * spec.outputSize(LayerOutput.POOL1));
        conv2 = buffer(capacity * conv2Size);
        act2 = fusedReluMaxPool ? null : buffer(capacity * conv2Size);
        deriv2 = tanh ? buffer(capacity * conv2Size) : null;
        pool2 = buffer(capacity * spec.flatSize());
        argmax2 = buffer(capacity * spec.flatSize());
        fc1 = buffer(capacity * F1);
        act3 = buffer(capacity * F1);
        deriv3 = tanh ? buffer(capacity * F1) : null;
        fc2 = buffer(capacity * F2);
        act4 = buffer(capacity * F2);
        deriv4 = tanh ? buffer(capacity * F2) : null;
        logits = buffer(capacity * CLASSES);
        probabilities = buffer(capacity * CLASSES);
        dLogits = buffer(capacity * CLASSES);
        dFc2 = buffer(capacity * F2);
        dFc1 = buffer(capacity * F1);
    }

    static float[] buffer(int size) { return new float[size + PAD]; }

    /** Writes image b's output of a layer, in NCHW order ((C, H, W) or (units)), at dst[off]. */
    void copyOutput(LayerOutput which, int b, float[] dst, int off) {
        int n = count;
        switch (which) {
            case INPUT -> System.arraycopy(input, b * spec.inputSize(), dst, off, spec.inputSize());
            case CONV1, ACT1 -> {
                float[] src = which == LayerOutput.CONV1 || act1 == null ? conv1 : act1;
                int h = spec.conv1H(), w = spec.conv1W(), hw = spec.inputSize(), stride = spec.inputWidth();
                for (int o = 0; o < C1; o++)
                    for (int i = 0; i < h; i++)
                        System.arraycopy(src, (o * n + b) * hw + i * stride, dst, off + (o * h + i) * w, w);
                if (which == LayerOutput.ACT1 && act1 == null) relu(dst, off, C1 * h * w);
            }
            case POOL1 -> copyRow(pool1, b, spec.outputSize(LayerOutput.POOL1), dst, off);
            case CONV2, ACT2 -> {
                float[] src = which == LayerOutput.CONV2 || act2 == null ? conv2 : act2;
                int plane = spec.conv2H() * spec.conv2W();
                for (int o = 0; o < C2; o++)
                    System.arraycopy(src, (o * n + b) * plane, dst, off + o * plane, plane);
                if (which == LayerOutput.ACT2 && act2 == null) relu(dst, off, C2 * plane);
            }
            case POOL2 -> copyRow(pool2, b, spec.flatSize(), dst, off);
            case FC1 -> copyRow(fc1, b, F1, dst, off);
            case ACT3 -> copyRow(act3, b, F1, dst, off);
            case FC2 -> copyRow(fc2, b, F2, dst, off);
            case ACT4 -> copyRow(act4, b, F2, dst, off);
            case LOGITS -> copyRow(logits, b, CLASSES, dst, off);
            case PROBABILITIES -> copyRow(probabilities, b, CLASSES, dst, off);
        }
    }

    /** ReLU in place, as CpuLayers.activationForward computes it (x > 0 ? x : 0). */
    private static void relu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) x[i] = x[i] > 0 ? x[i] : 0f;
    }

    private static void copyRow(float[] src, int b, int size, float[] dst, int off) {
        System.arraycopy(src, b * size, dst, off, size);
    }
}
