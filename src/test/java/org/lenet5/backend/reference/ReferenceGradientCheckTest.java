package org.lenet5.backend.reference;

import org.lenet5.model.Activation;
import org.lenet5.model.Pooling;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer of the reference against central finite differences. Each layer is checked through the scalar
 * L = sum(y * r) for a fixed random r, so dL/dy = r; the analytic backward must match (L(x+h) - L(x-h)) / 2h.
 * Float64 with h = 1e-6 gives about 1e-9 truncation error, so a relative tolerance of 1e-6 is loose enough for
 * rounding and tight enough to catch any wrong index.
 */
class ReferenceGradientCheckTest {

    static final double H = 1e-6;
    static final double TOL = 1e-6;

    static double[] random(SeededRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (2 * rng.nextDouble() - 1) * scale;
        return v;
    }

    static double dot(double[] a, double[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i] * b[i];
        return s;
    }

    /** Central difference of f with respect to v[i]. */
    static double numeric(double[] v, int i, java.util.function.DoubleSupplier f) {
        double keep = v[i];
        v[i] = keep + H;
        double up = f.getAsDouble();
        v[i] = keep - H;
        double down = f.getAsDouble();
        v[i] = keep;
        return (up - down) / (2 * H);
    }

    static void assertClose(String what, double[] analytic, double[] values, java.util.function.DoubleSupplier f, int count) {
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < count; i++) {
            double num = numeric(values, i, f);
            double err = Math.abs(num - analytic[i]) / Math.max(1e-3, Math.abs(num) + Math.abs(analytic[i]));
            if (err > worst) { worst = err; worstAt = i; }
        }
        System.out.printf("gradcheck %-28s max rel err %.2e over %d values (tol %.0e) %s%n",
                what, worst, count, TOL, worst <= TOL ? "OK" : "NOT OK");
        assertTrue(worst <= TOL, what + ": worst relative error " + worst + " at element " + worstAt);
    }

    @Test
    void convolutionGradientsMatchFiniteDifferences() {
        SeededRandom rng = new SeededRandom(1);
        int n = 2, c = 3, h = 9, w = 7, k = 4, r = 5, oh = h - r + 1, ow = w - r + 1;
        double[] x = random(rng, n * c * h * w, 1);
        int wo = 3, bo = wo + k * c * r * r;              // weights at an offset, as in the flat buffer
        double[] p = random(rng, bo + k + 2, 0.5);
        double[] rr = random(rng, n * k * oh * ow, 1);
        double[] y = new double[n * k * oh * ow];
        java.util.function.DoubleSupplier loss = () -> {
            ReferenceLayers.convForward(x, n, c, h, w, p, wo, bo, k, r, y);
            return dot(y, rr, y.length);
        };
        double[] g = new double[p.length];
        double[] dx = new double[x.length];
        int gwo = 1, gbo = gwo + k * c * r * r;
        ReferenceLayers.convBackward(x, n, c, h, w, p, wo, k, r, rr, g, gwo, gbo, dx);
        double[] gw = java.util.Arrays.copyOfRange(g, gwo, gwo + k * c * r * r);
        double[] gb = java.util.Arrays.copyOfRange(g, gbo, gbo + k);
        assertClose("conv dx", dx, x, loss, x.length);
        // Weight and bias gradients live at their own offsets in g; the parameters at theirs in p.
        double worst = 0;
        for (int i = 0; i < gw.length; i++) worst = Math.max(worst, relErr(numeric(p, wo + i, loss), gw[i]));
        for (int i = 0; i < k; i++) worst = Math.max(worst, relErr(numeric(p, bo + i, loss), gb[i]));
        System.out.printf("gradcheck %-28s max rel err %.2e (tol %.0e)%n", "conv dW, db", worst, TOL);
        assertTrue(worst <= TOL, "conv weight/bias gradient relative error " + worst);
    }

    static double relErr(double num, double ana) {
        return Math.abs(num - ana) / Math.max(1e-3, Math.abs(num) + Math.abs(ana));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationGradientsMatchFiniteDifferences(Activation a) {
        SeededRandom rng = new SeededRandom(2);
        int len = 200;
        double[] x = random(rng, len, 3);
        for (int i = 0; i < len; i++) if (Math.abs(x[i]) < 1e-3) x[i] = 0.5;  // keep clear of ReLU's kink
        double[] rr = random(rng, len, 1);
        double[] y = new double[len];
        double[] dx = new double[len];
        ReferenceLayers.activationBackward(a, x, rr, dx, len);
        assertClose("activation " + a, dx, x, () -> {
            ReferenceLayers.activationForward(a, x, y, len);
            return dot(y, rr, len);
        }, len);
    }

    @Test
    void scaledTanhHasLeCunsConstants() {
        double[] x = {1.0, -2.0, 0.0}, y = new double[3];
        ReferenceLayers.activationForward(Activation.SCALED_TANH, x, y, 3);
        assertTrue(Math.abs(y[0] - 1.7159 * Math.tanh(2.0 / 3.0)) < 1e-15);
        assertTrue(Math.abs(y[1] + 1.7159 * Math.tanh(4.0 / 3.0)) < 1e-15);
        assertTrue(y[2] == 0.0);
        // f(1) is about 1 and f(-1) about -1: the property LeCun chose the constants for.
        assertTrue(Math.abs(y[0] - 1.0) < 1e-3, "f(1) = " + y[0]);
    }

    @ParameterizedTest
    @EnumSource(Pooling.class)
    void poolingGradientsMatchFiniteDifferences(Pooling kind) {
        SeededRandom rng = new SeededRandom(3);
        int n = 2, c = 3, h = 7, w = 6;                     // odd height: the last row is dropped
        double[] x = random(rng, n * c * h * w, 1);
        double[] rr = random(rng, n * c * (h / 2) * (w / 2), 1);
        double[] y = new double[rr.length];
        double[] dx = new double[x.length];
        ReferenceLayers.poolBackward(kind, x, n, c, h, w, rr, dx);
        assertClose("pool " + kind, dx, x, () -> {
            ReferenceLayers.poolForward(kind, x, n, c, h, w, y);
            return dot(y, rr, y.length);
        }, x.length);
    }

    @Test
    void denseGradientsMatchFiniteDifferences() {
        SeededRandom rng = new SeededRandom(4);
        int n = 3, in = 7, out = 5;                          // non-square so a transposed index shows
        double[] x = random(rng, n * in, 1);
        int wo = 2, bo = wo + out * in;
        double[] p = random(rng, bo + out, 0.5);
        double[] rr = random(rng, n * out, 1);
        double[] y = new double[n * out];
        java.util.function.DoubleSupplier loss = () -> {
            ReferenceLayers.denseForward(x, n, in, p, wo, bo, out, y);
            return dot(y, rr, y.length);
        };
        double[] g = new double[p.length];
        double[] dx = new double[x.length];
        ReferenceLayers.denseBackward(x, n, in, p, wo, out, rr, g, wo, bo, dx);
        assertClose("dense dx", dx, x, loss, x.length);
        double[] gp = java.util.Arrays.copyOfRange(g, wo, bo + out);
        double worst = 0;
        for (int i = 0; i < gp.length; i++) worst = Math.max(worst, relErr(numeric(p, wo + i, loss), gp[i]));
        System.out.printf("gradcheck %-28s max rel err %.2e (tol %.0e)%n", "dense dW, db", worst, TOL);
        assertTrue(worst <= TOL, "dense weight/bias gradient relative error " + worst);
    }

    @Test
    void softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        SeededRandom rng = new SeededRandom(5);
        int n = 4, classes = 10;
        double[] logits = random(rng, n * classes, 4);
        byte[] labels = {3, 9, 0, 3};
        int[] idx = {0, 1, 2, 3};
        double[] probs = new double[n * classes];
        double[] d = new double[n * classes];
        ReferenceLayers.softmaxCrossEntropy(logits, n, classes, labels, idx, probs, d);
        assertClose("softmax cross-entropy", d, logits,
                () -> ReferenceLayers.softmaxCrossEntropy(logits, n, classes, labels, idx, probs, null) / n, logits.length);
    }

    @Test
    void allZeroLogitsGiveLnTenAndGradientSoftmaxMinusOneHotOverBatch() {
        int n = 4, classes = 10;
        double[] logits = new double[n * classes];
        byte[] labels = {7, 0, 9, 7};
        double[] probs = new double[n * classes];
        double[] d = new double[n * classes];
        double sum = ReferenceLayers.softmaxCrossEntropy(logits, n, classes, labels, new int[]{0, 1, 2, 3}, probs, d);
        assertTrue(Math.abs(sum / n - Math.log(10)) < 1e-15, "mean loss " + sum / n);
        for (int b = 0; b < n; b++)
            for (int k = 0; k < classes; k++) {
                double expected = (0.1 - (k == labels[b] ? 1 : 0)) / n;
                assertTrue(Math.abs(d[b * classes + k] - expected) < 1e-15, "dlogits[" + b + "," + k + "]");
            }
    }

    @Test
    void hugeLogitsStayFinite() {
        double[] logits = {1000, -1000, 0, 0, 0, 0, 0, 0, 0, 0};
        double[] probs = new double[10];
        double loss = ReferenceLayers.softmaxCrossEntropy(logits, 1, 10, new byte[]{1}, new int[]{0}, probs, new double[10]);
        assertTrue(Math.abs(loss - 2000) < 1e-9, "loss " + loss);
    }
}
