package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceLayers;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerMath;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our kernels' source code, run on the CPU by {@link KernelEmulator}, against the project's oracles:
 * gather vs Preprocessing.apply (exact), softmax cross-entropy vs ReferenceLayers (float vs double), optimizer vs
 * OptimizerMath's float rules (exact), each with small grids so the grid-stride loops wrap. The kernels' scalar
 * arguments come from the same Java code the backend uses (OptimizerArgs). Skipped only without g++.
 */
class KernelEmulationTest {

    private static KernelEmulator emulator;

    @BeforeAll
    static void build(@TempDir Path dir) throws Exception {
        Path gxx = NativeTools.gxx();
        assumeTrue(gxx != null, "g++ not found on PATH: the CPU emulation of the CUDA kernels needs it");
        emulator = KernelEmulator.build(gxx, dir);
    }

    // ------------------------------------------------------------------ gather / normalise / pad

    @ParameterizedTest(name = "{0}x{1} pad {2}, batch {3}, grid {4}x{5}")
    @CsvSource({"28, 28, 0, 5, 3, 64", "28, 28, 2, 7, 2, 128", "5, 9, 2, 4, 1, 32", "9, 5, 1, 1, 1, 1", "28, 36, 0, 3, 4, 256"})
    void gatherEqualsPreprocessingApplyExactly(int rows, int cols, int pad, int n, int grid, int block) throws Exception {
        int count = 11;
        SeededRandom r = new SeededRandom(rows * 31L + cols + pad);
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) r.nextLong();
        int[] index = new int[n];
        for (int b = 0; b < n; b++) index[b] = (int) Math.floorMod(r.nextLong(), count);
        if (n > 1) index[1] = index[0];   // the same image twice in a batch is allowed
        Preprocessing prep = new Preprocessing(rows, cols, pad, Preprocessing.UNIT_SCALE);

        ByteBuffer in = KernelEmulator.input(24 + pixels.length + 4 * n);
        KernelEmulator.putInts(in, new int[]{count, rows, cols, pad, n});
        in.putFloat(prep.scale());
        in.put(pixels);
        KernelEmulator.putInts(in, index);
        int size = prep.inputHeight() * prep.inputWidth();
        float[] got = KernelEmulator.floats(emulator.run("gather_normalize_pad", grid, block, in), n * size);

        float[] expected = new float[n * size];
        for (int b = 0; b < n; b++) prep.apply(pixels, index[b] * rows * cols, expected, b * size);
        assertArrayEquals(expected, got, "same float multiply on both sides, so exactly equal");
    }

    // ------------------------------------------------------------------ softmax cross-entropy + totals

    @ParameterizedTest(name = "batch {0}, grid {1}x{2}")
    @CsvSource({"1, 1, 32", "37, 1, 16", "37, 2, 256", "600, 3, 64"})
    void softmaxLossGradientAndTotalsMatchTheReference(int n, int grid, int block) throws Exception {
        int classes = 10, count = n + 5;
        SeededRandom r = new SeededRandom(n);
        float[] logits = new float[n * classes];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (8 * r.nextDouble() - 4);
        if (n > 2) {   // a tie for the largest logit: the lower class wins
            logits[2 * classes + 3] = 9f;
            logits[2 * classes + 7] = 9f;
        }
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte) Math.floorMod(r.nextLong(), classes);
        int[] index = new int[n];
        for (int b = 0; b < n; b++) index[b] = (int) Math.floorMod(r.nextLong(), count);
        if (n > 2) labels[index[2]] = 3;

        Result k = softmax(n, classes, true, logits, labels, index, grid, block);

        double[] probs = new double[n * classes], dlogits = new double[n * classes];
        double loss = ReferenceLayers.softmaxCrossEntropy(DenseCallsTest.toDouble(logits), n, classes, labels, index, probs, dlogits);
        int correct = 0;
        for (int b = 0; b < n; b++) {
            int best = ReferenceLayers.argmax(DenseCallsTest.toDouble(logits), b, classes);
            assertEquals(best == labels[index[b]] ? 1 : 0, k.rowCorrect[b], "row " + b + " correct flag");
            correct += k.rowCorrect[b];
        }
        // float32 exp/log of values in [-4, 9]: relative 1e-6 of the largest value is ~8 ulp.
        assertCloseRelative("probabilities", probs, k.probs, 1e-6);
        assertCloseRelative("gradient (p - onehot) / n", dlogits, k.dlogits, 1e-6);
        assertEquals(loss, k.totals[0], 1e-6 * Math.abs(loss) + 1e-6, "loss sum (float rows summed in double)");
        assertEquals(correct, k.totals[1], "correct count");
        if (n > 2) assertEquals(1, k.rowCorrect[2], "tie between classes 3 and 7 goes to 3, the label");
    }

    @Test
    void evaluationWritesNoGradient() throws Exception {
        int n = 4, classes = 10;
        float[] logits = new float[n * classes];
        Result k = softmax(n, classes, false, logits, new byte[]{0, 2, 3, 4}, new int[]{0, 1, 2, 3}, 1, 32);
        for (float v : k.dlogits) assertEquals(-7f, v, "the emulator's sentinel is untouched");
        for (float p : k.probs) assertEquals(0.1f, p, 1e-7f, "equal logits: uniform");
        assertEquals(4 * Math.log(10), k.totals[0], 1e-5);
        assertEquals(1, k.totals[1], "all logits tie, so class 0 is predicted: only the image labelled 0 is correct");
    }

    private record Result(float[] probs, float[] dlogits, float[] rowLoss, int[] rowCorrect, double[] totals) {}

    private static Result softmax(int n, int classes, boolean grad, float[] logits, byte[] labels, int[] index, int grid, int block)
            throws Exception {
        ByteBuffer in = KernelEmulator.input(16 + 4 * logits.length + labels.length + 4 * n);
        KernelEmulator.putInts(in, new int[]{n, classes, grad ? 1 : 0, labels.length});
        KernelEmulator.putFloats(in, logits);
        in.put(labels);
        KernelEmulator.putInts(in, index);
        ByteBuffer out = emulator.run("softmax_cross_entropy", grid, block, in);
        float[] probs = KernelEmulator.floats(out, n * classes);
        float[] dlogits = KernelEmulator.floats(out, n * classes);
        float[] rowLoss = KernelEmulator.floats(out, n);
        int[] rowCorrect = KernelEmulator.ints(out, n);
        double[] totals = {out.getDouble(), out.getDouble()};
        return new Result(probs, dlogits, rowLoss, rowCorrect, totals);
    }

    // ------------------------------------------------------------------ optimizer

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void optimizerKernelsReproduceOptimizerMathBitForBit(OptimizerKind kind) throws Exception {
        int n = 1000;
        OptimizerSettings o = OptimizerSettings.of(kind, 5e-3f);
        SeededRandom r = new SeededRandom(kind.ordinal() + 1);
        float[] w = random(r, n, 0.5), s0 = new float[n], s1 = new float[n];
        float[] wRef = w.clone(), s0Ref = new float[n], s1Ref = new float[n];
        for (int step = 1; step <= 3; step++) {
            float[] g = random(r, n, 0.1);
            g[0] = 0f;   // a zero gradient: Adam's m/sqrt(v) must stay finite (eps)
            float lr = 0.01f / step;
            OptimizerMath.update(o, lr, step, wRef, g, s0Ref, s1Ref, 0, n);

            OptimizerArgs a = OptimizerArgs.of(o, lr, step);
            ByteBuffer in = KernelEmulator.input(64 + 16 * n);
            in.putInt(n);
            switch (a.kernel()) {
                case "sgd_update" -> KernelEmulator.putFloats(in, a.floats());
                case "momentum_update" -> {
                    KernelEmulator.putFloats(in, a.floats());
                    in.putInt(a.flag());
                }
                case "adam_update" -> KernelEmulator.putFloats(in, a.floats());
                default -> fail(a.kernel());
            }
            KernelEmulator.putFloats(in, w);
            KernelEmulator.putFloats(in, g);
            if (a.buffers() >= 1) KernelEmulator.putFloats(in, s0);
            if (a.buffers() >= 2) KernelEmulator.putFloats(in, s1);
            ByteBuffer out = emulator.run(a.kernel(), 2, 128, in);   // 256 threads for 1000 parameters: the loop wraps
            w = KernelEmulator.floats(out, n);
            if (a.buffers() >= 1) s0 = KernelEmulator.floats(out, n);
            if (a.buffers() >= 2) s1 = KernelEmulator.floats(out, n);

            assertArrayEquals(wRef, w, kind + " step " + step + " parameters");
            if (a.buffers() >= 1) assertArrayEquals(s0Ref, s0, kind + " step " + step + " state 0");
            if (a.buffers() >= 2) assertArrayEquals(s1Ref, s1, kind + " step " + step + " state 1");
        }
    }

    private static float[] random(SeededRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        return a;
    }

    static void assertCloseRelative(String what, double[] expected, float[] actual, double rel) {
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++)
            if (Math.abs(actual[i] - expected[i]) > rel * scale)
                fail(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i] + " (tolerance " + rel * scale + ")");
    }
}
