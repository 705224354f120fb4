package org.lenet5.backend.reference;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerMath;
import org.lenet5.train.OptimizerSettings;

import java.util.EnumMap;
import java.util.Map;

import static org.lenet5.backend.reference.ReferenceLayers.*;
import static org.lenet5.model.ModelSpec.*;

/** The float64 oracle: plain loops over the whole batch, one layer after another. */
public final class ReferenceBackend implements Backend {

    private final ModelSpec spec;
    private final Preprocessing prep;
    private final ParameterLayout layout;
    private final int maxBatch;

    private final double[] params, grads;     // (layout.size())
    private double[] state0, state1;          // optimizer state, (layout.size()) each, created on first update
    private final Map<LayerOutput, double[]> out = new EnumMap<>(LayerOutput.class);   // (maxBatch, size)
    private final Map<LayerOutput, double[]> grad = new EnumMap<>(LayerOutput.class);  // same shapes
    private final int[] labelIndex;           // (maxBatch) dataset index of each batch row
    private int lastCount;

    public ReferenceBackend(ModelSpec spec, Preprocessing prep, int maxBatch) {
        if (prep.inputHeight() != spec.inputHeight() || prep.inputWidth() != spec.inputWidth())
            throw new IllegalArgumentException("preprocessing gives " + prep.inputHeight() + "x" + prep.inputWidth()
                    + " but the model takes " + spec.inputHeight() + "x" + spec.inputWidth());
        this.spec = spec;
        this.prep = prep;
        this.layout = new ParameterLayout(spec);
        this.maxBatch = maxBatch;
        this.params = new double[layout.size()];
        this.grads = new double[layout.size()];
        for (LayerOutput l : LayerOutput.values()) {
            out.put(l, new double[maxBatch * spec.outputSize(l)]);
            grad.put(l, new double[maxBatch * spec.outputSize(l)]);
        }
        this.labelIndex = new int[maxBatch];
    }

    @Override public String name() { return "reference"; }
    @Override public ModelSpec spec() { return spec; }
    @Override public Preprocessing preprocessing() { return prep; }
    @Override public ParameterLayout layout() { return layout; }
    @Override public int maxBatchSize() { return maxBatch; }

    @Override public void setParameters(float[] flat) {
        for (int i = 0; i < params.length; i++) params[i] = flat[i];
    }

    @Override public void getParameters(float[] flat) {
        for (int i = 0; i < params.length; i++) flat[i] = (float) params[i];
    }

    @Override public void getGradients(float[] flat) {
        for (int i = 0; i < grads.length; i++) flat[i] = (float) grads[i];
    }

    /** The exact float64 parameters (tests). */
    public double[] parameters() { return params; }
    /** The exact float64 gradients (tests). */
    public double[] gradients() { return grads; }

    private void forward(Dataset data, int[] order, int from, int n) {
        if (n < 1 || n > maxBatch) throw new IllegalArgumentException("batch of " + n + " (max " + maxBatch + ")");
        int img = data.imageSize();
        double[] x = out.get(LayerOutput.INPUT);
        for (int b = 0; b < n; b++) {
            labelIndex[b] = order[from + b];
            prep.apply(data.pixels(), labelIndex[b] * img, x, b * spec.inputSize());
        }
        int h = spec.inputHeight(), w = spec.inputWidth();
        convForward(x, n, 1, h, w, params, layout.conv1W.offset(), layout.conv1B.offset(), C1, KERNEL, out.get(LayerOutput.CONV1));
        activationForward(spec.activation(), out.get(LayerOutput.CONV1), out.get(LayerOutput.ACT1), n * spec.outputSize(LayerOutput.CONV1));
        poolForward(spec.pooling(), out.get(LayerOutput.ACT1), n, C1, spec.conv1H(), spec.conv1W(), out.get(LayerOutput.POOL1));
        convForward(out.get(LayerOutput.POOL1), n, C1, spec.pool1H(), spec.pool1W(), params,
                layout.conv2W.offset(), layout.conv2B.offset(), C2, KERNEL, out.get(LayerOutput.CONV2));
        activationForward(spec.activation(), out.get(LayerOutput.CONV2), out.get(LayerOutput.ACT2), n * spec.outputSize(LayerOutput.CONV2));
        poolForward(spec.pooling(), out.get(LayerOutput.ACT2), n, C2, spec.conv2H(), spec.conv2W(), out.get(LayerOutput.POOL2));
        denseForward(out.get(LayerOutput.POOL2), n, spec.flatSize(), params, layout.fc1W.offset(), layout.fc1B.offset(), F1, out.get(LayerOutput.FC1));
        activationForward(spec.activation(), out.get(LayerOutput.FC1), out.get(LayerOutput.ACT3), n * F1);
        denseForward(out.get(LayerOutput.ACT3), n, F1, params, layout.fc2W.offset(), layout.fc2B.offset(), F2, out.get(LayerOutput.FC2));
        activationForward(spec.activation(), out.get(LayerOutput.FC2), out.get(LayerOutput.ACT4), n * F2);
        denseForward(out.get(LayerOutput.ACT4), n, F2, params, layout.fc3W.offset(), layout.fc3B.offset(), CLASSES, out.get(LayerOutput.LOGITS));
        lastCount = n;
    }

    private BatchResult lossAndAccuracy(Dataset data, int n, boolean withGradient) {
        double[] probs = out.get(LayerOutput.PROBABILITIES);
        double loss = softmaxCrossEntropy(out.get(LayerOutput.LOGITS), n, CLASSES, data.labels(), labelIndex, probs,
                withGradient ? grad.get(LayerOutput.LOGITS) : null);
        int correct = 0;
        for (int b = 0; b < n; b++) if (argmax(out.get(LayerOutput.LOGITS), b, CLASSES) == data.label(labelIndex[b])) correct++;
        return new BatchResult(loss, correct, n);
    }

    @Override
    public BatchResult forwardBackward(Dataset data, int[] order, int from, int n) {
        forward(data, order, from, n);
        BatchResult r = lossAndAccuracy(data, n, true);
        backward(n);
        return r;
    }

    /** Backward from grad[LOGITS] (the mean-loss gradient) through every layer. */
    private void backward(int n) {
        denseBackward(out.get(LayerOutput.ACT4), n, F2, params, layout.fc3W.offset(), CLASSES, grad.get(LayerOutput.LOGITS),
                grads, layout.fc3W.offset(), layout.fc3B.offset(), grad.get(LayerOutput.ACT4));
        activationBackward(spec.activation(), out.get(LayerOutput.FC2), grad.get(LayerOutput.ACT4), grad.get(LayerOutput.FC2), n * F2);
        denseBackward(out.get(LayerOutput.ACT3), n, F1, params, layout.fc2W.offset(), F2, grad.get(LayerOutput.FC2),
                grads, layout.fc2W.offset(), layout.fc2B.offset(), grad.get(LayerOutput.ACT3));
        activationBackward(spec.activation(), out.get(LayerOutput.FC1), grad.get(LayerOutput.ACT3), grad.get(LayerOutput.FC1), n * F1);
        denseBackward(out.get(LayerOutput.POOL2), n, spec.flatSize(), params, layout.fc1W.offset(), F1, grad.get(LayerOutput.FC1),
                grads, layout.fc1W.offset(), layout.fc1B.offset(), grad.get(LayerOutput.POOL2));
        poolBackward(spec.pooling(), out.get(LayerOutput.ACT2), n, C2, spec.conv2H(), spec.conv2W(), grad.get(LayerOutput.POOL2), grad.get(LayerOutput.ACT2));
        activationBackward(spec.activation(), out.get(LayerOutput.CONV2), grad.get(LayerOutput.ACT2), grad.get(LayerOutput.CONV2), n * spec.outputSize(LayerOutput.CONV2));
        convBackward(out.get(LayerOutput.POOL1), n, C1, spec.pool1H(), spec.pool1W(), params, layout.conv2W.offset(), C2, KERNEL,
                grad.get(LayerOutput.CONV2), grads, layout.conv2W.offset(), layout.conv2B.offset(), grad.get(LayerOutput.POOL1));
        poolBackward(spec.pooling(), out.get(LayerOutput.ACT1), n, C1, spec.conv1H(), spec.conv1W(), grad.get(LayerOutput.POOL1), grad.get(LayerOutput.ACT1));
        activationBackward(spec.activation(), out.get(LayerOutput.CONV1), grad.get(LayerOutput.ACT1), grad.get(LayerOutput.CONV1), n * spec.outputSize(LayerOutput.CONV1));
        // The input needs no gradient.
        convBackward(out.get(LayerOutput.INPUT), n, 1, spec.inputHeight(), spec.inputWidth(), params, layout.conv1W.offset(), C1, KERNEL,
                grad.get(LayerOutput.CONV1), grads, layout.conv1W.offset(), layout.conv1B.offset(), null);
    }

    @Override
    public void update(OptimizerSettings o, float lr, long step) {
        int buffers = o.kind().stateBuffers();
        if (buffers >= 1 && state0 == null) state0 = new double[params.length];
        if (buffers >= 2 && state1 == null) state1 = new double[params.length];
        OptimizerMath.update(o, lr, step, params, grads, state0, state1);
    }

    @Override
    public BatchResult evaluate(Dataset data, int[] order, int from, int n, float[] probabilities) {
        forward(data, order, from, n);
        BatchResult r = lossAndAccuracy(data, n, false);
        if (probabilities != null) {
            double[] p = out.get(LayerOutput.PROBABILITIES);
            for (int i = 0; i < n * CLASSES; i++) probabilities[i] = (float) p[i];
        }
        return r;
    }

    @Override
    public float[] readOutput(LayerOutput which) {
        double[] src = out.get(which);
        float[] r = new float[lastCount * spec.outputSize(which)];
        for (int i = 0; i < r.length; i++) r[i] = (float) src[i];
        return r;
    }

    /** Exact float64 copy of a layer output of the last forward pass (tests). */
    public double[] output(LayerOutput which) {
        return java.util.Arrays.copyOf(out.get(which), lastCount * spec.outputSize(which));
    }

    /** Exact float64 gradient of the loss with respect to a layer output, after forwardBackward (tests). */
    public double[] outputGradient(LayerOutput which) {
        return java.util.Arrays.copyOf(grad.get(which), lastCount * spec.outputSize(which));
    }

    @Override
    public float[][] getOptimizerState() {
        double[][] src = state1 != null ? new double[][]{state0, state1} : state0 != null ? new double[][]{state0} : new double[0][];
        float[][] r = new float[src.length][params.length];
        for (int s = 0; s < src.length; s++) for (int i = 0; i < params.length; i++) r[s][i] = (float) src[s][i];
        return r;
    }

    @Override
    public void setOptimizerState(float[][] state) {
        state0 = state.length > 0 ? toDouble(state[0]) : null;
        state1 = state.length > 1 ? toDouble(state[1]) : null;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override public void close() {}
}
