package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.BlasCall.Gemm;
import org.lenet5.backend.cuda.BlasCall.Gemv;
import org.lenet5.backend.cuda.BlasCall.Op;
import org.lenet5.backend.cuda.BlasCall.Operand;

import java.util.Map;

/**
 * A column-major BLAS (sgemm, sgemv) on host arrays, with cuBLAS's argument checks, to execute the dense layers'
 * {@link BlasCall}s without a GPU. Element (i, j) of an m x n column-major matrix with leading dimension ld is
 * at [i + j * ld]. Accumulates in double, so it shows the mapping, not float rounding.
 */
final class ColumnMajorBlas {

    private ColumnMajorBlas() {}

    static void run(BlasCall call, Map<Operand, float[]> buffers) {
        if (call instanceof Gemm g) gemm(g, buffers);
        else if (call instanceof Gemv v) gemv(v, buffers);
    }

    /** C = alpha op(A) op(B) + beta C; op(A) is m x k, op(B) k x n. */
    static void gemm(Gemm g, Map<Operand, float[]> buf) {
        // cuBLAS rejects these (CUBLAS_STATUS_INVALID_VALUE).
        int aRows = g.transA() == Op.N ? g.m() : g.k();
        int bRows = g.transB() == Op.N ? g.k() : g.n();
        require(g.lda() >= Math.max(1, aRows), "lda " + g.lda() + " < rows of A " + aRows, g);
        require(g.ldb() >= Math.max(1, bRows), "ldb " + g.ldb() + " < rows of B " + bRows, g);
        require(g.ldc() >= Math.max(1, g.m()), "ldc " + g.ldc() + " < m " + g.m(), g);
        float[] a = get(buf, g.a(), g), b = get(buf, g.b(), g), c = get(buf, g.c(), g);
        for (int j = 0; j < g.n(); j++)
            for (int i = 0; i < g.m(); i++) {
                double s = 0;
                for (int l = 0; l < g.k(); l++) {
                    float av = g.transA() == Op.N ? at(a, i + l * g.lda(), g) : at(a, l + i * g.lda(), g);
                    float bv = g.transB() == Op.N ? at(b, l + j * g.ldb(), g) : at(b, j + l * g.ldb(), g);
                    s += (double) av * bv;
                }
                int ci = i + j * g.ldc();
                double old = g.beta() == 0f ? 0 : at(c, ci, g);   // beta 0: C is not read (may hold garbage)
                c[checked(c, ci, g)] = (float) (g.alpha() * s + g.beta() * old);
            }
    }

    /** y = alpha op(A) x + beta y with A m x n. */
    static void gemv(Gemv v, Map<Operand, float[]> buf) {
        require(v.lda() >= Math.max(1, v.m()), "lda " + v.lda() + " < m " + v.m(), v);
        require(v.incx() != 0 && v.incy() != 0, "zero increment", v);
        float[] a = get(buf, v.a(), v), x = get(buf, v.x(), v), y = get(buf, v.y(), v);
        int rows = v.trans() == Op.N ? v.m() : v.n();
        int cols = v.trans() == Op.N ? v.n() : v.m();
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                float av = v.trans() == Op.N ? at(a, i + j * v.lda(), v) : at(a, j + i * v.lda(), v);
                s += (double) av * at(x, j * v.incx(), v);
            }
            int yi = i * v.incy();
            double old = v.beta() == 0f ? 0 : at(y, yi, v);
            y[checked(y, yi, v)] = (float) (v.alpha() * s + v.beta() * old);
        }
    }

    private static float[] get(Map<Operand, float[]> buf, Operand o, BlasCall call) {
        float[] a = buf.get(o);
        if (a == null) throw new AssertionError(call + " uses " + o + ", which the layer does not bind");
        return a;
    }

    private static float at(float[] a, int i, BlasCall call) { return a[checked(a, i, call)]; }

    private static int checked(float[] a, int i, BlasCall call) {
        if (i < 0 || i >= a.length) throw new AssertionError(call + " reads or writes element " + i + " of a buffer of " + a.length);
        return i;
    }

    private static void require(boolean ok, String what, BlasCall call) {
        if (!ok) throw new AssertionError("cuBLAS would reject " + call + ": " + what);
    }
}
