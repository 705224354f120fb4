package org.lenet5.backend.reference;

import org.lenet5.model.Activation;
import org.lenet5.model.Pooling;

/**
 * LeNet-5's layers in float64 plain loops, each forward next to its backward, written to be obviously right.
 * This is the oracle every other backend is tested against; it is itself tested against finite differences.
 * Tensors are NCHW; a weight or bias lives at an offset in the flat parameter (or gradient) buffer.
 * Backward functions overwrite (never accumulate into) their outputs.
 */
public final class ReferenceLayers {

    private ReferenceLayers() {}

    // ---------------------------------------------------------------- convolution (valid, stride 1)

    /** x (n, c, h, w), weight (k, c, r, r) at wo, bias (k) at bo, y (n, k, h-r+1, w-r+1). */
    public static void convForward(double[] x, int n, int c, int h, int w,
                                   double[] p, int wo, int bo, int k, int r, double[] y) {
        int oh = h - r + 1, ow = w - r + 1;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double s = p[bo + o];
                        for (int ch = 0; ch < c; ch++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < r; v++)
                                    s += p[wo + ((o * c + ch) * r + u) * r + v]
                                            * x[((b * c + ch) * h + i + u) * w + j + v];
                        y[((b * k + o) * oh + i) * ow + j] = s;
                    }
    }

    /** dy (n, k, oh, ow) -> dWeight at wo, dBias at bo in g, and dx (n, c, h, w) unless dx is null. */
    public static void convBackward(double[] x, int n, int c, int h, int w,
                                    double[] p, int wo, int k, int r, double[] dy,
                                    double[] g, int gwo, int gbo, double[] dx) {
        int oh = h - r + 1, ow = w - r + 1;
        for (int i = 0; i < k * c * r * r; i++) g[gwo + i] = 0;
        for (int i = 0; i < k; i++) g[gbo + i] = 0;
        if (dx != null) java.util.Arrays.fill(dx, 0, n * c * h * w, 0.0);
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double d = dy[((b * k + o) * oh + i) * ow + j];
                        g[gbo + o] += d;
                        for (int ch = 0; ch < c; ch++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < r; v++) {
                                    int xi = ((b * c + ch) * h + i + u) * w + j + v;
                                    int wi = ((o * c + ch) * r + u) * r + v;
                                    g[gwo + wi] += d * x[xi];
                                    if (dx != null) dx[xi] += d * p[wo + wi];
                                }
                    }
    }

    // ---------------------------------------------------------------- activation

    /** y = f(x) elementwise over len values. */
    public static void activationForward(Activation a, double[] x, double[] y, int len) {
        for (int i = 0; i < len; i++) {
            y[i] = switch (a) {
                case RELU -> x[i] > 0 ? x[i] : 0;
                case SCALED_TANH -> Activation.TANH_A * Math.tanh(Activation.TANH_S * x[i]);
            };
        }
    }

    /** dx = f'(x) * dy; f' of ReLU at 0 is 0. */
    public static void activationBackward(Activation a, double[] x, double[] dy, double[] dx, int len) {
        for (int i = 0; i < len; i++) {
            double d = switch (a) {
                case RELU -> x[i] > 0 ? 1 : 0;
                case SCALED_TANH -> {
                    double t = Math.tanh(Activation.TANH_S * x[i]);
                    yield Activation.TANH_A * Activation.TANH_S * (1 - t * t);
                }
            };
            dx[i] = d * dy[i];
        }
    }

    // ---------------------------------------------------------------- pooling 2x2 stride 2

    /** x (n, c, h, w) -> y (n, c, h/2, w/2), odd trailing rows/columns dropped. */
    public static void poolForward(Pooling kind, double[] x, int n, int c, int h, int w, double[] y) {
        int ph = h / 2, pw = w / 2;
        for (int bc = 0; bc < n * c; bc++)
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++) {
                    int base = (bc * h + 2 * i) * w + 2 * j;
                    double a = x[base], b = x[base + 1], cc = x[base + w], d = x[base + w + 1];
                    y[(bc * ph + i) * pw + j] = kind == Pooling.MAX
                            ? Math.max(Math.max(a, b), Math.max(cc, d))
                            : (a + b + cc + d) / 4;
                }
    }

    /** dy (n, c, h/2, w/2) -> dx (n, c, h, w). Max: all gradient to the first maximum in row-major order. */
    public static void poolBackward(Pooling kind, double[] x, int n, int c, int h, int w, double[] dy, double[] dx) {
        int ph = h / 2, pw = w / 2;
        java.util.Arrays.fill(dx, 0, n * c * h * w, 0.0);
        for (int bc = 0; bc < n * c; bc++)
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++) {
                    int base = (bc * h + 2 * i) * w + 2 * j;
                    double d = dy[(bc * ph + i) * pw + j];
                    int[] window = {base, base + 1, base + w, base + w + 1};
                    if (kind == Pooling.MAX) {
                        int best = window[0];
                        for (int q = 1; q < 4; q++) if (x[window[q]] > x[best]) best = window[q];
                        dx[best] += d;
                    } else {
                        for (int q = 0; q < 4; q++) dx[window[q]] += d / 4;
                    }
                }
    }

    // ---------------------------------------------------------------- dense

    /** x (n, in), weight (out, in) at wo, bias (out) at bo, y (n, out) = x W^T + b. */
    public static void denseForward(double[] x, int n, int in, double[] p, int wo, int bo, int out, double[] y) {
        for (int b = 0; b < n; b++)
            for (int o = 0; o < out; o++) {
                double s = p[bo + o];
                for (int i = 0; i < in; i++) s += p[wo + o * in + i] * x[b * in + i];
                y[b * out + o] = s;
            }
    }

    /** dy (n, out) -> dW = dy^T x at gwo, db = sum over the batch at gbo, dx = dy W (n, in) unless null. */
    public static void denseBackward(double[] x, int n, int in, double[] p, int wo, int out, double[] dy,
                                     double[] g, int gwo, int gbo, double[] dx) {
        for (int o = 0; o < out; o++) {
            double db = 0;
            for (int b = 0; b < n; b++) db += dy[b * out + o];
            g[gbo + o] = db;
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += dy[b * out + o] * x[b * in + i];
                g[gwo + o * in + i] = s;
            }
        }
        if (dx != null)
            for (int b = 0; b < n; b++)
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int o = 0; o < out; o++) s += dy[b * out + o] * p[wo + o * in + i];
                    dx[b * in + i] = s;
                }
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    /**
     * logits (n, classes) -> probabilities (n, classes); returns the summed loss -log p[label].
     * If dlogits is not null it receives the gradient of the MEAN loss: (p - onehot(label)) / n.
     */
    public static double softmaxCrossEntropy(double[] logits, int n, int classes, byte[] labels, int[] labelIndex,
                                             double[] probabilities, double[] dlogits) {
        double total = 0;
        for (int b = 0; b < n; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits[b * classes + k]);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.exp(logits[b * classes + k] - max);
            int label = labels[labelIndex[b]];
            double logSum = Math.log(sum) + max;
            total += logSum - logits[b * classes + label];
            for (int k = 0; k < classes; k++) {
                double pk = Math.exp(logits[b * classes + k] - logSum);
                probabilities[b * classes + k] = pk;
                if (dlogits != null) dlogits[b * classes + k] = (pk - (k == label ? 1 : 0)) / n;
            }
        }
        return total;
    }

    /** Index of the largest value in row b (ties: the lower index). */
    public static int argmax(double[] v, int b, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) if (v[b * classes + k] > v[b * classes + best]) best = k;
        return best;
    }
}
