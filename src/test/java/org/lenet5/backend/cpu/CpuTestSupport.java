package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.SeededRandom;

import java.util.ArrayList;
import java.util.List;

/** Random batches and the per-tensor comparison (llm.c style) shared by the cpu backend tests. */
final class CpuTestSupport {

    private CpuTestSupport() {}

    /** A network and the preprocessing that feeds it, for images of rows x cols. */
    record Net(ModelSpec spec, Preprocessing prep) {
        static Net of(Architecture arch, int rows, int cols) {
            return new Net(ModelSpec.forImages(arch, rows, cols), Preprocessing.forArchitecture(arch, rows, cols));
        }

        @Override public String toString() { return spec.toString(); }
    }

    /** count images of uniformly random bytes with random labels, from a seeded generator. */
    static Dataset randomImages(int count, int rows, int cols, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        byte[] pixels = new byte[count * rows * cols];
        byte[] labels = new byte[count];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) rng.nextInt(256);
        for (int i = 0; i < count; i++) labels[i] = (byte) rng.nextInt(10);
        return new Dataset("random", pixels, labels, count, rows, cols);
    }

    static int[] identityOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    /** (C, H, W) of one image's layer output, for naming elements. */
    static int[] outputShape(ModelSpec s, LayerOutput which) {
        return switch (which) {
            case INPUT -> new int[]{1, s.inputHeight(), s.inputWidth()};
            case CONV1, ACT1 -> new int[]{ModelSpec.C1, s.conv1H(), s.conv1W()};
            case POOL1 -> new int[]{ModelSpec.C1, s.pool1H(), s.pool1W()};
            case CONV2, ACT2 -> new int[]{ModelSpec.C2, s.conv2H(), s.conv2W()};
            case POOL2 -> new int[]{s.flatSize()};
            case FC1, ACT3 -> new int[]{ModelSpec.F1};
            case FC2, ACT4 -> new int[]{ModelSpec.F2};
            case LOGITS, PROBABILITIES -> new int[]{ModelSpec.CLASSES};
        };
    }

    /** Flat index -> "[i, j, k]" for a row-major tensor of the given shape. */
    static String index(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < idx.length; d++) sb.append(d > 0 ? ", " : "").append(idx[d]);
        return sb.append(']').toString();
    }

    /**
     * Compares tensors element by element and remembers failures, printing one line per tensor (llm.c style):
     * the largest |diff|, the tensor's largest |ref| and the error measure against its tolerance.
     * The measure is |diff| / max|ref| over the tensor: float32 rounds a sum of products to a relative 6e-8 of
     * the summed magnitudes of its terms, which the tensor's scale tracks, while a single element may cancel to
     * nearly zero (and so have a large error relative to itself) without anything being wrong.
     */
    static final class Comparison {
        private final List<String> failures = new ArrayList<>();
        private final String context;

        Comparison(String context) { this.context = context; }

        void check(String name, float[] actual, double[] expected, int[] shape, double tolerance) {
            if (actual.length != expected.length) {
                failures.add(name + ": " + actual.length + " values, expected " + expected.length);
                System.out.println(context + " " + name + " length " + actual.length + " != " + expected.length + " NOT OK");
                return;
            }
            double maxRef = 0;
            for (double e : expected) maxRef = Math.max(maxRef, Math.abs(e));
            double maxDiff = 0;
            int worstAt = 0;
            for (int i = 0; i < actual.length; i++) {
                double d = Math.abs(actual[i] - expected[i]);
                if (Double.isNaN(d) || Double.isInfinite(actual[i])) d = Double.POSITIVE_INFINITY;
                if (d > maxDiff) {
                    maxDiff = d;
                    worstAt = i;
                }
            }
            double error = maxDiff == 0 ? 0 : maxDiff / maxRef;
            boolean ok = error <= tolerance;
            String where = actual.length == 0 ? "" : " worst at " + index(worstAt, shape) + ": " + actual[worstAt]
                    + " vs " + expected[worstAt];
            System.out.printf("%s %-20s max|diff| %.1e  max|ref| %.1e  diff/max|ref| %.1e (tol %.0e) %s%n",
                    context, name, maxDiff, maxRef, error, tolerance, ok ? "OK" : "NOT OK" + where);
            if (!ok) failures.add(name + " error " + String.format("%.2e", error) + " > " + tolerance + where);
        }

        void check(String name, float[] actual, float[] expected, int[] shape, double tolerance) {
            double[] e = new double[expected.length];
            for (int i = 0; i < e.length; i++) e[i] = expected[i];
            check(name, actual, e, shape, tolerance);
        }

        void fail(String message) {
            System.out.println(context + " " + message + " NOT OK");
            failures.add(message);
        }

        void assertNoFailures() {
            if (!failures.isEmpty())
                throw new AssertionError(context + ": " + failures.size() + " mismatch(es):\n  " + String.join("\n  ", failures));
        }
    }

    static float[] slice(float[] flat, int from, int to) {
        return java.util.Arrays.copyOfRange(flat, from, to);
    }

    static double[] slice(double[] flat, int from, int to) {
        return java.util.Arrays.copyOfRange(flat, from, to);
    }
}
