package org.lenet5.backend.cpu;

import org.lenet5.model.Activation;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cpu backend's float32 scaled tanh: accuracy against the double-precision tanh, and its determinism. */
class CpuLayersTest {

    /** Arguments log-uniform in +-[1e-8, 1e3] (tiny, linear, saturating, underflowing e), plus 0 and both signs of 1. */
    private static float[] arguments(int n, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        float[] x = new float[n + Gemm.PAD];
        for (int i = 0; i < n; i++)
            x[i] = (float) ((rng.nextInt(2) == 0 ? 1 : -1) * Math.pow(10, -8 + 11 * rng.nextDouble()));
        x[0] = 0f;
        x[1] = 1f;
        x[2] = -1f;
        return x;
    }

    /**
     * y within 8 float ulps of 1.7159 tanh(2x/3) computed in double: rounding z = 2x/3 to float, the reduction of
     * exp's argument and the final division cost a few ulps (worst measured 4.1 over 2 million arguments).
     * The derivative 1.7159 (2/3) (1 - tanh^2 z) = 4AS e / (1 + e)^2, e = exp(-2|z|), within 1e-5 relative: rounding
     * z to float changes e by up to |2z| 2^-24 relative, at most 87 * 6e-8 = 5e-6 while e is a normal float; once e
     * underflows the true derivative is below 1e-37 and only that is asserted.
     */
    @Test
    void scaledTanhAndItsDerivativeMatchTheDoublePrecisionFunction() {
        int n = 200_000;
        float[] x = arguments(n, 3), y = new float[n + Gemm.PAD], d = new float[n + Gemm.PAD];
        CpuLayers.activationForward(Activation.SCALED_TANH, x, y, d, 0, n);
        double worstUlps = 0, worstRelative = 0;
        for (int i = 0; i < n; i++) {
            double z = Activation.TANH_S * x[i], e = Math.exp(-2 * Math.abs(z));
            double expectY = Activation.TANH_A * Math.tanh(z);
            double expectD = 4 * Activation.TANH_A * Activation.TANH_S * e / ((1 + e) * (1 + e));
            double ulps = Math.abs(y[i] - expectY) / Math.ulp((float) expectY);
            worstUlps = Math.max(worstUlps, ulps);
            assertTrue(ulps <= 8, "x = " + x[i] + ": y = " + y[i] + ", expected " + expectY + " (" + ulps + " ulps)");
            if (expectD > 1e-37) {
                double rel = Math.abs(d[i] - expectD) / expectD;
                worstRelative = Math.max(worstRelative, rel);
                assertTrue(rel <= 1e-5, "x = " + x[i] + ": derivative " + d[i] + ", expected " + expectD);
            } else {
                assertTrue(d[i] >= 0 && d[i] <= 1e-37, "x = " + x[i] + ": derivative " + d[i] + ", expected " + expectD);
            }
        }
        assertEquals(0f, y[0]);
        assertEquals((float) (Activation.TANH_A * Activation.TANH_S), d[0], 1e-7f, "the derivative at 0 is A S");
        assertTrue(worstUlps > 0 && worstRelative > 0, "a float32 function is not exact everywhere");
    }

    /**
     * Whole vectors and the scalar tail compute every element by the same operations, so an element's result does not
     * depend on where a range starts or ends (the batch size decides that).
     */
    @Test
    void vectorLanesAndTheScalarTailGiveBitIdenticalResults() {
        int n = 3 * Gemm.L + 5;
        float[] x = arguments(n, 5);
        float[] y = new float[n + Gemm.PAD], d = new float[n + Gemm.PAD];
        float[] y1 = new float[n + Gemm.PAD], d1 = new float[n + Gemm.PAD];
        CpuLayers.activationForward(Activation.SCALED_TANH, x, y, d, 1, n - 1);   // vectors from 1, then a tail
        for (int i = 1; i < n; i++) CpuLayers.activationForward(Activation.SCALED_TANH, x, y1, d1, i, 1);
        for (int i = 1; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(y1[i]), Float.floatToRawIntBits(y[i]), "y at " + i + ", x = " + x[i]);
            assertEquals(Float.floatToRawIntBits(d1[i]), Float.floatToRawIntBits(d[i]), "derivative at " + i + ", x = " + x[i]);
        }
    }
}
