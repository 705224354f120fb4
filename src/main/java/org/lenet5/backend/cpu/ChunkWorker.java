package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.model.Activation;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Pooling;
import org.lenet5.model.Preprocessing;

import java.util.Arrays;

import static org.lenet5.backend.cpu.ChunkActivations.buffer;
import static org.lenet5.backend.cpu.CpuLayers.*;
import static org.lenet5.model.ModelSpec.*;

/**
 * One thread's scratch for running chunks of at most {@code chunkSize} images through the network: forward, then
 * backward while the chunk is still in cache. The chunk's forward state lives in its {@link ChunkActivations}
 * (the backend keeps one per chunk of the batch, whichever thread runs it), its weight gradients go to the chunk's
 * own gradient buffer. Nothing here carries over from one chunk to the next, so a chunk's results do not depend on
 * which thread ran it. Everything is allocated here, once.
 */
final class ChunkWorker {

    private final ModelSpec spec;
    private final Preprocessing prep;
    private final ParameterLayout layout;
    private final Activation act;
    private final Pooling pool;

    /** Shared, read-only during a task: the parameters and the transposed dense weights. */
    private final float[] p, fc1T, fc2T, fc3T;

    // backward scratch for one chunk
    private final float[] dPool2;       // (C, flat)
    private final float[] dConv2;       // (16, C*OH2*OW2)
    private final float[] dConv2T;      // (C*OH2*OW2, 16)
    private final float[] dWeight2T;    // (150, 16)
    private final float[] col2;         // (150, C*OH2*OW2), also forward scratch
    private final float[] dCol2;        // (150, C*OH2*OW2) from DCOL_OFFSET, rows CpuLayers.dcolStride apart
    private final float[] col2imKeep;   // see CpuLayers.col2imKeep
    private final float[] dPool1;       // (C, 6, P1h, P1w)
    private final float[] dConv1;       // (6, C, H, W) grid
    private final int[] taps = new int[TAPS];
    private final int[] planes = new int[C1];
    private final float[] lanes = Gemm.dotScratch();
    /** Gemm.multiply's packed panels of B, forward and backward. */
    private final float[] panel;
    /** Keeps the touching loads of forward() from being optimised away. */
    @SuppressWarnings("unused") private int touchedSum;

    ChunkWorker(ModelSpec spec, Preprocessing prep, ParameterLayout layout, int chunkSize,
                float[] params, float[] fc1T, float[] fc2T, float[] fc3T) {
        this.spec = spec;
        this.prep = prep;
        this.layout = layout;
        this.act = spec.activation();
        this.pool = spec.pooling();
        this.p = params;
        this.fc1T = fc1T;
        this.fc2T = fc2T;
        this.fc3T = fc3T;
        int c = chunkSize;
        int cols2 = c * spec.conv2H() * spec.conv2W();
        dPool2 = buffer(c * spec.flatSize());
        dConv2 = buffer(C2 * cols2);
        dConv2T = buffer(C2 * cols2);
        dWeight2T = buffer(C1 * TAPS * C2);
        col2 = buffer(C1 * TAPS * cols2);
        dCol2 = buffer(DCOL_OFFSET + C1 * TAPS * dcolStride(cols2));
        col2imKeep = CpuLayers.col2imKeep(spec.pool1W());
        dPool1 = buffer(c * spec.outputSize(LayerOutput.POOL1));
        dConv1 = buffer(c * C1 * spec.inputSize());
        panel = Gemm.panelScratch(Math.max(C1 * TAPS, Math.max(spec.flatSize(), F1)));   // the largest inner dimension of a product that packs
    }

    /**
     * Forward and backward over images data[order[first .. first + n)] into chunk a; grad (the chunk's own buffer)
     * receives the gradient of the batch's mean loss over these images for every parameter but the dense layers'
     * weights (those elements are left alone: the update forms them from a.dLogits, a.dFc2, a.dFc1 over the whole
     * batch), a.lossSum and a.correct their summed loss and correct count.
     *
     * @param batch the whole batch's size (the loss is its mean)
     */
    void forwardBackward(ChunkActivations a, float[] grad, Dataset data, int[] order, int first, int n, int batch) {
        forward(a, data, order, first, n);
        a.lossSum = softmaxCrossEntropy(a.logits, n, a.labels, a.probabilities, a.dLogits, batch);
        a.correct = countCorrect(a, n);
        backward(a, grad, n);   // writes every gradient element but the dense weights'
    }

    /** Forward only over data[order[first .. first + n)] into chunk a; softmax outputs stay in the chunk. */
    void evaluate(ChunkActivations a, Dataset data, int[] order, int first, int n) {
        forward(a, data, order, first, n);
        a.lossSum = softmaxCrossEntropy(a.logits, n, a.labels, a.probabilities, null, 1);
        a.correct = countCorrect(a, n);
    }

    private static int countCorrect(ChunkActivations a, int n) {
        int c = 0;
        for (int b = 0; b < n; b++) if (argmax(a.logits, b) == a.labels[b]) c++;
        return c;
    }

    // ---------------------------------------------------------------- the network, one chunk of n images

    private void forward(ChunkActivations a, Dataset data, int[] order, int first, int n) {
        int h = spec.inputHeight(), w = spec.inputWidth(), hw = h * w;
        int p1h = spec.pool1H(), p1w = spec.pool1W();
        int plane2 = spec.conv2H() * spec.conv2W(), cols2 = n * plane2;
        int imageSize = data.imageSize();
        a.count = n;
        // The chunk's images lie at random places in the dataset (shuffled order), mostly outside the caches.
        // Touching each of their cache lines first issues independent loads the CPU overlaps, rather than one
        // image's misses after the other's while converting.
        byte[] pixels = data.pixels();
        int touched = 0;
        for (int b = 0; b < n; b++)
            for (int at = order[first + b] * imageSize, end = at + imageSize; at < end; at += 64) touched += pixels[at];
        touchedSum = touched;
        for (int b = 0; b < n; b++) {
            int image = order[first + b];
            a.images[b] = image;
            a.labels[b] = data.label(image);
            prep.apply(pixels, image * imageSize, a.input, b * hw);                                 // (n, H, W)
        }
        conv1Forward(a.input, n, h, w, p, layout.conv1W.offset(), layout.conv1B.offset(), a.conv1); // (6, n, H, W)
        if (a.fusedReluMaxPool) {   // ReLU applied to the window maxima: its outputs are never written
            poolForward(pool, true, a.conv1, C1, n, hw, w, p1h, p1w, a.pool1, a.argmax1);          // (n, 6, P1h, P1w)
        } else {
            int span = (spec.conv1H() - 1) * w + spec.conv1W();
            for (int plane = 0; plane < C1 * n; plane++)
                activationForward(act, a.conv1, a.act1, a.deriv1, plane * hw, span);
            poolForward(pool, a.act1, C1, n, hw, w, p1h, p1w, a.pool1, a.argmax1);                 // (n, 6, P1h, P1w)
        }
        im2col(a.pool1, n, C1, p1h, p1w, col2);                                                     // (150, n*OH2*OW2)
        conv2Forward(col2, C1, C2, cols2, p, layout.conv2W.offset(), layout.conv2B.offset(), a.conv2, panel); // (16, n*OH2*OW2)
        if (a.fusedReluMaxPool) {
            poolForward(pool, true, a.conv2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), a.pool2, a.argmax2); // (n, flat)
        } else {
            activationForward(act, a.conv2, a.act2, a.deriv2, 0, C2 * cols2);
            poolForward(pool, a.act2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), a.pool2, a.argmax2); // (n, flat)
        }
        denseForward(a.pool2, n, spec.flatSize(), fc1T, p, layout.fc1B.offset(), F1, a.fc1, panel);       // (n, 120)
        activationForward(act, a.fc1, a.act3, a.deriv3, 0, n * F1);
        denseForward(a.act3, n, F1, fc2T, p, layout.fc2B.offset(), F2, a.fc2, panel);                     // (n, 84)
        activationForward(act, a.fc2, a.act4, a.deriv4, 0, n * F2);
        denseForward(a.act4, n, F2, fc3T, p, layout.fc3B.offset(), CLASSES, a.logits, panel);             // (n, 10)
    }

    /** From a.dLogits (set by the loss) back to the first convolution's weights; col2 still holds this chunk's im2col. */
    private void backward(ChunkActivations a, float[] grad, int n) {
        int h = spec.inputHeight(), w = spec.inputWidth(), hw = h * w;
        int p1h = spec.pool1H(), p1w = spec.pool1W();
        int plane2 = spec.conv2H() * spec.conv2W(), cols2 = n * plane2;
        // the dense weight gradients are left to the update (batch-level products over a.dLogits, a.dFc2, a.dFc1)
        denseBackward(n, F2, p, layout.fc3W.offset(), CLASSES, a.dLogits, grad, layout.fc3B.offset(), a.dFc2, panel); // (n, 84)
        activationBackward(act, a.act4, a.deriv4, a.dFc2, 0, n * F2);
        denseBackward(n, F1, p, layout.fc2W.offset(), F2, a.dFc2, grad, layout.fc2B.offset(), a.dFc1, panel);     // (n, 120)
        activationBackward(act, a.act3, a.deriv3, a.dFc1, 0, n * F1);
        denseBackward(n, spec.flatSize(), p, layout.fc1W.offset(), F1, a.dFc1, grad, layout.fc1B.offset(), dPool2, panel); // (n, flat)
        if (a.fusedReluMaxPool)
            maxPoolReluBackward(a.pool2, dPool2, a.argmax2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), dConv2);
        else
            poolActivationBackward(pool, act, a.act2, a.deriv2, dPool2, a.argmax2, C2, n, plane2, spec.conv2W(),
                    spec.pool2H(), spec.pool2W(), dConv2);                                           // (16, n*OH2*OW2)
        conv2Backward(col2, C1, C2, cols2, p, layout.conv2W.offset(), dConv2,
                grad, layout.conv2W.offset(), layout.conv2B.offset(), dCol2, dConv2T, dWeight2T, lanes, panel);     // (150, n*OH2*OW2)
        col2im(dCol2, n, C1, p1h, p1w, col2imKeep, dPool1);                                        // (n, 6, P1h, P1w)
        if (a.fusedReluMaxPool)
            maxPoolReluBackward(a.pool1, dPool1, a.argmax1, C1, n, hw, w, p1h, p1w, dConv1);
        else
            poolActivationBackward(pool, act, a.act1, a.deriv1, dPool1, a.argmax1, C1, n, hw, w, p1h, p1w, dConv1); // (6, n, H, W)
        conv1Backward(a.input, n, h, w, dConv1, grad, layout.conv1W.offset(), layout.conv1B.offset(), taps, planes, lanes);
    }
}
