package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.BlasCall.Gemm;
import org.lenet5.backend.cuda.BlasCall.Operand;
import org.lenet5.backend.reference.ReferenceLayers;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dense layers' cuBLAS calls (row-major buffers through column-major BLAS), executed by a column-major
 * emulator with cuBLAS's argument checks and compared with ReferenceLayers' dense forward and backward.
 * Buffers are sized exactly, so a wrong leading dimension or transpose reads out of bounds or gives wrong values.
 * Tolerance: float32 operands (exactly representable in double) accumulated in double, rounded once to float:
 * relative 1e-6 of the tensor's largest value.
 */
class DenseCallsTest {

    @ParameterizedTest(name = "batch {0}, in {1}, out {2}")
    @CsvSource({"1, 7, 5", "3, 7, 5", "3, 5, 7", "32, 256, 120", "13, 120, 84", "4, 84, 10", "2, 400, 120", "5, 1, 3"})
    void forwardCallsComputeXTimesWeightTransposedPlusBias(int batch, int in, int out) {
        Layer l = new Layer(batch, in, out, 11L * batch + in);
        for (BlasCall c : DenseCalls.forward(batch, in, out)) ColumnMajorBlas.run(c, l.buffers);

        double[] y = new double[batch * out];
        ReferenceLayers.denseForward(toDouble(l.x), batch, in, l.params(), 0, out * in, out, y);
        assertClose("y", y, l.buffers.get(Operand.Y));
    }

    @ParameterizedTest(name = "batch {0}, in {1}, out {2}")
    @CsvSource({"1, 7, 5", "3, 7, 5", "3, 5, 7", "32, 256, 120", "13, 120, 84", "4, 84, 10", "5, 1, 3"})
    void backwardCallsComputeWeightBiasAndInputGradients(int batch, int in, int out) {
        Layer l = new Layer(batch, in, out, 7L * batch + out);
        for (BlasCall c : DenseCalls.backward(batch, in, out, true)) ColumnMajorBlas.run(c, l.buffers);

        double[] g = new double[out * in + out];
        double[] dx = new double[batch * in];
        ReferenceLayers.denseBackward(toDouble(l.x), batch, in, l.params(), 0, out, toDouble(l.dy), g, 0, out * in, dx);
        double[] dw = java.util.Arrays.copyOfRange(g, 0, out * in), db = java.util.Arrays.copyOfRange(g, out * in, out * in + out);
        assertClose("dW", dw, l.buffers.get(Operand.DW));
        assertClose("db", db, l.buffers.get(Operand.DB));
        assertClose("dx", dx, l.buffers.get(Operand.DX));
    }

    @Test
    void backwardWithoutInputGradientLeavesDxAloneAndStillOverwritesDwAndDb() {
        Layer l = new Layer(3, 6, 4, 5);
        List<BlasCall> calls = DenseCalls.backward(3, 6, 4, false);
        assertEquals(2, calls.size());
        l.buffers.remove(Operand.DX);       // binding it is not needed: the emulator fails on an unbound operand
        for (BlasCall c : calls) ColumnMajorBlas.run(c, l.buffers);
        for (float v : l.buffers.get(Operand.DW)) assertNotEquals(-99f, v, "every dW element is written (beta 0)");
        for (float v : l.buffers.get(Operand.DB)) assertNotEquals(-99f, v, "every db element is written (beta 0)");
    }

    @Test
    void emulatorCatchesAWrongTranspose() {
        // The check is only worth something if a wrong mapping fails it: the forward GEMM with A not transposed.
        Layer l = new Layer(3, 7, 5, 1);
        Gemm right = (Gemm) DenseCalls.forward(3, 7, 5).get(0);
        Gemm wrong = new Gemm(BlasCall.Op.N, right.transB(), right.m(), right.n(), right.k(), right.alpha(), right.a(),
                right.lda(), right.b(), right.ldb(), right.beta(), right.c(), right.ldc());
        assertThrows(AssertionError.class, () -> ColumnMajorBlas.run(wrong, l.buffers),
                "W read as 5 x 7 column-major runs past its 35 elements");
    }

    /** Random x, W, b, dy in exactly sized buffers; outputs pre-filled with -99 so unwritten elements show. */
    private static final class Layer {
        final int batch, in, out;
        final float[] x, w, b, dy;
        final Map<Operand, float[]> buffers = new EnumMap<>(Operand.class);

        Layer(int batch, int in, int out, long seed) {
            this.batch = batch;
            this.in = in;
            this.out = out;
            SeededRandom r = new SeededRandom(seed);
            x = random(r, batch * in);
            w = random(r, out * in);
            b = random(r, out);
            dy = random(r, batch * out);
            buffers.put(Operand.X, x);
            buffers.put(Operand.W, w);
            buffers.put(Operand.B, b);
            buffers.put(Operand.DY, dy);
            buffers.put(Operand.Y, filled(batch * out));
            buffers.put(Operand.DX, filled(batch * in));
            buffers.put(Operand.DW, filled(out * in));
            buffers.put(Operand.DB, filled(out));
            float[] ones = new float[batch];
            java.util.Arrays.fill(ones, 1f);
            buffers.put(Operand.ONES, ones);
        }

        /** W then b, as a flat parameter buffer for ReferenceLayers. */
        double[] params() {
            double[] p = new double[out * in + out];
            for (int i = 0; i < w.length; i++) p[i] = w[i];
            for (int i = 0; i < out; i++) p[out * in + i] = b[i];
            return p;
        }

        private static float[] random(SeededRandom r, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
            return a;
        }

        private static float[] filled(int n) {
            float[] a = new float[n];
            java.util.Arrays.fill(a, -99f);
            return a;
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static void assertClose(String what, double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        int worst = -1;
        double worstErr = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (err > worstErr) { worstErr = err; worst = i; }
        }
        double tol = 1e-6 * Math.max(scale, 1e-30);
        if (worstErr > tol)
            fail(what + ": worst element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                    + " (error " + worstErr + " > " + tol + ")");
    }
}
