package org.lenet5.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float32 results against float64 oracles, llm.c style: per tensor the largest difference against a tolerance
 * relative to the tensor's largest magnitude, and on failure the worst element.
 */
final class Compare {

    /**
     * Outputs and gradients of float32 GPU layers against the float64 reference: 1e-4 of the tensor's largest
     * value. float32 rounding (6e-8 relative) summed over at most a few hundred products stays below 1e-5;
     * a wrong index, transpose or missing term is of the order of the values themselves.
     */
    static final double LAYER_TOLERANCE = 1e-4;

    private Compare() {}

    static void close(String what, double[] expected, float[] actual, double relative) {
        if (expected.length != actual.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        int worst = -1;
        double worstErr = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= worstErr)) { worstErr = err; worst = i; }   // also catches NaN
        }
        double tol = relative * scale;
        if (!(worstErr <= tol))
            fail(what + ": worst element [" + worst + "] = " + actual[worst] + ", expected " + expected[worst]
                    + " (difference " + worstErr + " > " + tol + " = " + relative + " x largest " + scale + ")");
    }

    static void close(String what, double[] expected, float[] actual) { close(what, expected, actual, LAYER_TOLERANCE); }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static double[] slice(double[] a, int from, int to) { return java.util.Arrays.copyOfRange(a, from, to); }

    static float[] slice(float[] a, int from, int to) { return java.util.Arrays.copyOfRange(a, from, to); }
}
