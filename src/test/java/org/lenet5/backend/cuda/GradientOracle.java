package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.Activation;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Pooling;

import java.util.EnumMap;
import java.util.Map;

import static org.lenet5.backend.reference.ReferenceLayers.*;
import static org.lenet5.model.LayerOutput.*;
import static org.lenet5.model.ModelSpec.*;

/**
 * The reference gradients for comparing a float32 backend, robust to float rounding at the two non-smooth points
 * of LeNet: ReLU at 0 and the choice of maximum in a max-pool window.
 *
 * <p>It runs ReferenceBackend's backward chain with ReferenceLayers' own functions, from the reference's float64
 * forward pass, except where that pass is within {@code delta} (relative to the tensor's largest value) of such a
 * point: a pre-activation within delta of 0, or a pool window whose two largest values are within delta of each
 * other. There float32 and float64 may legitimately decide differently, so the decision follows the device's own
 * forward values (which are compared with the reference separately). Exact ties stay ties, so the reference's rule
 * "the first maximum in row-major order gets the gradient" is still what the device is held to.
 * With delta = 0 this is exactly ReferenceBackend's backward (a test checks that).
 */
final class GradientOracle {

    final Map<LayerOutput, double[]> layerGradients = new EnumMap<>(LayerOutput.class);
    final double[] parameterGradients;
    /** Decisions taken from the device's forward values. */
    int reluDecisionsFromDevice, poolDecisionsFromDevice;

    /**
     * @param ref     a reference backend right after forwardBackward on the batch
     * @param device  the device's forward outputs of the same batch (readOutput), or null to use the reference's
     * @param delta   relative closeness to a decision point below which the device decides
     */
    GradientOracle(ReferenceBackend ref, ModelSpec spec, int n, Map<LayerOutput, float[]> device, double delta) {
        ParameterLayout L = new ParameterLayout(spec);
        double[] p = ref.parameters();
        double[] g = new double[L.size()];
        Activation act = spec.activation();
        Map<LayerOutput, double[]> d = layerGradients;
        for (LayerOutput l : LayerOutput.values()) if (l != INPUT && l != PROBABILITIES) d.put(l, new double[n * spec.outputSize(l)]);
        d.put(LOGITS, ref.outputGradient(LOGITS));

        denseBackward(ref.output(ACT4), n, F2, p, L.fc3W.offset(), CLASSES, d.get(LOGITS), g, L.fc3W.offset(), L.fc3B.offset(), d.get(ACT4));
        activationBackward(act, relu(ref, device, FC2, act, delta), d.get(ACT4), d.get(FC2), n * F2);
        denseBackward(ref.output(ACT3), n, F1, p, L.fc2W.offset(), F2, d.get(FC2), g, L.fc2W.offset(), L.fc2B.offset(), d.get(ACT3));
        activationBackward(act, relu(ref, device, FC1, act, delta), d.get(ACT3), d.get(FC1), n * F1);
        denseBackward(ref.output(POOL2), n, spec.flatSize(), p, L.fc1W.offset(), F1, d.get(FC1), g, L.fc1W.offset(), L.fc1B.offset(), d.get(POOL2));
        poolBackward(spec.pooling(), pool(ref, device, ACT2, spec, n, C2, spec.conv2H(), spec.conv2W(), delta), n, C2,
                spec.conv2H(), spec.conv2W(), d.get(POOL2), d.get(ACT2));
        activationBackward(act, relu(ref, device, CONV2, act, delta), d.get(ACT2), d.get(CONV2), n * spec.outputSize(CONV2));
        convBackward(ref.output(POOL1), n, C1, spec.pool1H(), spec.pool1W(), p, L.conv2W.offset(), C2, KERNEL, d.get(CONV2),
                g, L.conv2W.offset(), L.conv2B.offset(), d.get(POOL1));
        poolBackward(spec.pooling(), pool(ref, device, ACT1, spec, n, C1, spec.conv1H(), spec.conv1W(), delta), n, C1,
                spec.conv1H(), spec.conv1W(), d.get(POOL1), d.get(ACT1));
        activationBackward(act, relu(ref, device, CONV1, act, delta), d.get(ACT1), d.get(CONV1), n * spec.outputSize(CONV1));
        convBackward(ref.output(INPUT), n, 1, spec.inputHeight(), spec.inputWidth(), p, L.conv1W.offset(), C1, KERNEL, d.get(CONV1),
                g, L.conv1W.offset(), L.conv1B.offset(), null);
        parameterGradients = g;
    }

    /** The pre-activations whose sign ReLU's backward uses: the reference's, or the device's where within delta of 0. */
    private double[] relu(ReferenceBackend ref, Map<LayerOutput, float[]> device, LayerOutput pre, Activation act, double delta) {
        double[] x = ref.output(pre);
        if (act != Activation.RELU || device == null || delta == 0) return x;
        float[] dev = device.get(pre);
        double thr = delta * maxAbs(x);
        for (int i = 0; i < x.length; i++)
            if (Math.abs(x[i]) < thr) {
                if ((x[i] > 0) != (dev[i] > 0)) reluDecisionsFromDevice++;
                x[i] = dev[i];
            }
        return x;
    }

    /** The max-pool inputs whose ordering picks the maximum: the device's values in windows with a near tie. */
    private double[] pool(ReferenceBackend ref, Map<LayerOutput, float[]> device, LayerOutput in, ModelSpec spec, int n, int c,
                          int h, int w, double delta) {
        double[] x = ref.output(in);
        if (spec.pooling() != Pooling.MAX || device == null || delta == 0) return x;
        float[] dev = device.get(in);
        double thr = delta * maxAbs(x);
        int ph = h / 2, pw = w / 2;
        for (int bc = 0; bc < n * c; bc++)
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++) {
                    int base = (bc * h + 2 * i) * w + 2 * j;
                    int[] win = {base, base + 1, base + w, base + w + 1};
                    double first = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
                    for (int q : win) {
                        if (x[q] > first) { second = first; first = x[q]; }
                        else if (x[q] > second) second = x[q];
                    }
                    if (first - second < thr) {
                        if (argmax(x, win) != argmax(dev, win)) poolDecisionsFromDevice++;
                        for (int q : win) x[q] = dev[q];
                    }
                }
        return x;
    }

    private static int argmax(double[] x, int[] win) {
        int best = win[0];
        for (int q : win) if (x[q] > x[best]) best = q;
        return best;
    }

    private static int argmax(float[] x, int[] win) {
        int best = win[0];
        for (int q : win) if (x[q] > x[best]) best = q;
        return best;
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) m = Math.max(m, Math.abs(v));
        return m;
    }
}
