package org.lenet5.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix kernels the cpu backend's layers are built from, written with the Vector API
 * (jdk.incubator.vector): C2 does not auto-vectorise loops whose arrays are read at different offsets,
 * and these kernels keep a block of C in registers across the whole k loop.
 *
 * <p>Determinism. Every element of C is computed by the same sequence of IEEE operations wherever it sits
 * (in a full block, a duplicated edge row or a masked tail): its initial value, then one fused multiply-add
 * per k in increasing k. So a result never depends on the batch size, the image's position in the batch or
 * the thread count. Horizontal sums use a fixed scalar tree ({@link #sumLanes}), never
 * {@code reduceLanes}, whose order may differ between the interpreter and C2.
 *
 * <p>Bounds. Loads may run up to {@link #PAD} floats past the last element a kernel uses (tails are loaded
 * whole and masked only when stored or summed), so every buffer these kernels read is allocated PAD longer.
 * A tail's store rewrites the lanes past the end with the values they hold (see storeFirstLanes).
 */
final class Gemm {

    private Gemm() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector (16 with AVX-512, 8 with AVX2). */
    static final int L = F.length();
    /** Slack after every buffer: two vectors, the widest block a kernel loads past its end. */
    static final int PAD = 2 * L;

    /** TAIL[t]: the first t lanes. */
    private static final VectorMask<Float>[] TAIL = tailMasks();

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] tailMasks() {
        VectorMask<Float>[] m = new VectorMask[L + 1];
        for (int t = 0; t <= L; t++) m[t] = VectorMask.fromLong(F, t == 64 ? -1L : (1L << t) - 1);
        return m;
    }

    static VectorMask<Float> firstLanes(int t) { return TAIL[t]; }

    /** Where each element of C starts before the products are added. */
    enum Init {
        /** C = A·B */
        ZERO,
        /** C += A·B */
        ACCUMULATE,
        /** C[r][p] = bias[r] + (A·B)[r][p] (a convolution: one bias per output channel) */
        ROW_BIAS,
        /** C[r][p] = bias[p] + (A·B)[r][p] (a dense layer: one bias per output unit) */
        COLUMN_BIAS
    }

    // ---------------------------------------------------------------- C = init + A B

    /**
     * C (R, P) = init + A (R, K) · B (K, P).
     * A[r][k] = a[aOff + r*aRs + k*aCs] (any strides, so A may be a transposed view);
     * B[k][p] = b[bOff + k*ldb + p]; C[r][p] = c[cOff + r*ldc + p]; bias at biasOff (ROW_BIAS, COLUMN_BIAS).
     * Blocks of 4 rows by 2 vectors are kept in registers over all of k; the last row block repeats row R-1
     * (same values, stored twice), the last columns use one masked vector.
     */
    static void multiply(float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc,
                         int rows, int inner, int cols, Init init, float[] bias, int biasOff) {
        int p = 0;
        for (; p + 2 * L <= cols; p += 2 * L)
            for (int r = 0; r < rows; r += 4)
                block4x2(a, aOff, aRs, aCs, b, bOff, ldb, c, cOff, ldc, rows, inner, r, p, init, bias, biasOff);
        for (; p < cols; p += L) {
            VectorMask<Float> m = TAIL[Math.min(L, cols - p)];
            for (int r = 0; r < rows; r += 4)
                block4x1(a, aOff, aRs, aCs, b, bOff, ldb, c, cOff, ldc, rows, inner, r, p, init, bias, biasOff, m);
        }
    }

    private static void block4x2(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, int rows, int inner, int r, int p,
                                 Init init, float[] bias, int biasOff) {
        int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
        int c0 = cOff + r * ldc + p, c1 = cOff + r1 * ldc + p, c2 = cOff + r2 * ldc + p, c3 = cOff + r3 * ldc + p;
        FloatVector s00, s01, s10, s11, s20, s21, s30, s31;
        switch (init) {
            case ZERO -> {
                s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = FloatVector.zero(F);
            }
            case ACCUMULATE -> {
                s00 = FloatVector.fromArray(F, c, c0); s01 = FloatVector.fromArray(F, c, c0 + L);
                s10 = FloatVector.fromArray(F, c, c1); s11 = FloatVector.fromArray(F, c, c1 + L);
                s20 = FloatVector.fromArray(F, c, c2); s21 = FloatVector.fromArray(F, c, c2 + L);
                s30 = FloatVector.fromArray(F, c, c3); s31 = FloatVector.fromArray(F, c, c3 + L);
            }
            case ROW_BIAS -> {
                s00 = s01 = FloatVector.broadcast(F, bias[biasOff + r]);
                s10 = s11 = FloatVector.broadcast(F, bias[biasOff + r1]);
                s20 = s21 = FloatVector.broadcast(F, bias[biasOff + r2]);
                s30 = s31 = FloatVector.broadcast(F, bias[biasOff + r3]);
            }
            default -> {
                s00 = s10 = s20 = s30 = FloatVector.fromArray(F, bias, biasOff + p);
                s01 = s11 = s21 = s31 = FloatVector.fromArray(F, bias, biasOff + p + L);
            }
        }
        int a0 = aOff + r * aRs, a1 = aOff + r1 * aRs, a2 = aOff + r2 * aRs, a3 = aOff + r3 * aRs;
        int bk = bOff + p, ak = 0;
        for (int k = 0; k < inner; k++, bk += ldb, ak += aCs) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk), b1 = FloatVector.fromArray(F, b, bk + L);
            FloatVector w = FloatVector.broadcast(F, a[a0 + ak]);
            s00 = b0.fma(w, s00); s01 = b1.fma(w, s01);
            w = FloatVector.broadcast(F, a[a1 + ak]);
            s10 = b0.fma(w, s10); s11 = b1.fma(w, s11);
            w = FloatVector.broadcast(F, a[a2 + ak]);
            s20 = b0.fma(w, s20); s21 = b1.fma(w, s21);
            w = FloatVector.broadcast(F, a[a3 + ak]);
            s30 = b0.fma(w, s30); s31 = b1.fma(w, s31);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + L);
    }

    private static void block4x1(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, int rows, int inner, int r, int p,
                                 Init init, float[] bias, int biasOff, VectorMask<Float> m) {
        int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
        int c0 = cOff + r * ldc + p, c1 = cOff + r1 * ldc + p, c2 = cOff + r2 * ldc + p, c3 = cOff + r3 * ldc + p;
        FloatVector s0, s1, s2, s3;
        switch (init) {
            case ZERO -> s0 = s1 = s2 = s3 = FloatVector.zero(F);
            case ACCUMULATE -> {
                s0 = FloatVector.fromArray(F, c, c0); s1 = FloatVector.fromArray(F, c, c1);
                s2 = FloatVector.fromArray(F, c, c2); s3 = FloatVector.fromArray(F, c, c3);
            }
            case ROW_BIAS -> {
                s0 = FloatVector.broadcast(F, bias[biasOff + r]); s1 = FloatVector.broadcast(F, bias[biasOff + r1]);
                s2 = FloatVector.broadcast(F, bias[biasOff + r2]); s3 = FloatVector.broadcast(F, bias[biasOff + r3]);
            }
            default -> s0 = s1 = s2 = s3 = FloatVector.fromArray(F, bias, biasOff + p);
        }
        int a0 = aOff + r * aRs, a1 = aOff + r1 * aRs, a2 = aOff + r2 * aRs, a3 = aOff + r3 * aRs;
        int bk = bOff + p, ak = 0;
        for (int k = 0; k < inner; k++, bk += ldb, ak += aCs) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            s0 = b0.fma(FloatVector.broadcast(F, a[a0 + ak]), s0);
            s1 = b0.fma(FloatVector.broadcast(F, a[a1 + ak]), s1);
            s2 = b0.fma(FloatVector.broadcast(F, a[a2 + ak]), s2);
            s3 = b0.fma(FloatVector.broadcast(F, a[a3 + ak]), s3);
        }
        storeFirstLanes(s0, c, c0, m); storeFirstLanes(s1, c, c1, m);
        storeFirstLanes(s2, c, c2, m); storeFirstLanes(s3, c, c3, m);
    }

    /**
     * Stores the lanes of v that m selects. Java 17 does not compile a masked store (intoArray with a mask) to
     * one instruction but to a lane loop that allocates, so the other lanes are reloaded and written back
     * unchanged instead: safe because every C this class writes belongs to one thread, and the stores of a
     * block follow each other in row order.
     */
    private static void storeFirstLanes(FloatVector v, float[] c, int i, VectorMask<Float> m) {
        FloatVector.fromArray(F, c, i).blend(v, m).intoArray(c, i);
    }

    // ---------------------------------------------------------------- C = init + A B^T (row dot products)

    /**
     * C[r][s] (+)= sum over q < len of A[r][q] · B[s][q], for r < rows, s < cols, where
     * A[r][q] = a[aOff + r*lda + q] and B[s][q] = b[bOff + bRow[s] + q] (bRow lets B's rows be shifted
     * windows of one image, as in the first convolution's weight gradient). C[r][s] = c[cOff + r*ldc + s].
     * Each dot keeps one vector of partial sums (lane i sums q = i mod L), then {@link #sumLanes}.
     *
     * @param lanes scratch of at least L floats (one per thread)
     */
    static void dotRows(float[] a, int aOff, int lda, float[] b, int bOff, int[] bRow,
                        float[] c, int cOff, int ldc, int rows, int cols, int len, boolean accumulate, float[] lanes) {
        int full = len - len % L;
        VectorMask<Float> tail = TAIL[len - full];
        FloatVector zero = FloatVector.zero(F);
        for (int r = 0; r < rows; r += 2) {
            int r1 = Math.min(r + 1, rows - 1);
            int a0 = aOff + r * lda, a1 = aOff + r1 * lda;
            for (int s = 0; s < cols; s += 2) {
                int s1 = Math.min(s + 1, cols - 1);
                int b0 = bOff + bRow[s], b1 = bOff + bRow[s1];
                FloatVector t00 = zero, t01 = zero, t10 = zero, t11 = zero;
                for (int q = 0; q < full; q += L) {
                    FloatVector x0 = FloatVector.fromArray(F, a, a0 + q), x1 = FloatVector.fromArray(F, a, a1 + q);
                    FloatVector y0 = FloatVector.fromArray(F, b, b0 + q), y1 = FloatVector.fromArray(F, b, b1 + q);
                    t00 = x0.fma(y0, t00); t01 = x0.fma(y1, t01);
                    t10 = x1.fma(y0, t10); t11 = x1.fma(y1, t11);
                }
                if (full < len) {
                    FloatVector x0 = zero.blend(FloatVector.fromArray(F, a, a0 + full), tail);
                    FloatVector x1 = zero.blend(FloatVector.fromArray(F, a, a1 + full), tail);
                    FloatVector y0 = zero.blend(FloatVector.fromArray(F, b, b0 + full), tail);
                    FloatVector y1 = zero.blend(FloatVector.fromArray(F, b, b1 + full), tail);
                    t00 = x0.fma(y0, t00); t01 = x0.fma(y1, t01);
                    t10 = x1.fma(y0, t10); t11 = x1.fma(y1, t11);
                }
                // An edge block repeats row rows-1 or column cols-1; store each element once (accumulation!).
                store(c, cOff + r * ldc + s, sumLanes(t00, lanes), accumulate);
                if (s1 != s) store(c, cOff + r * ldc + s1, sumLanes(t01, lanes), accumulate);
                if (r1 != r) {
                    store(c, cOff + r1 * ldc + s, sumLanes(t10, lanes), accumulate);
                    if (s1 != s) store(c, cOff + r1 * ldc + s1, sumLanes(t11, lanes), accumulate);
                }
            }
        }
    }

    private static void store(float[] c, int i, float v, boolean accumulate) {
        c[i] = accumulate ? c[i] + v : v;
    }

    /** Sum of x[off, off + len), by the same lane-then-tree order as {@link #dotRows}. */
    static float sum(float[] x, int off, int len, float[] lanes) {
        int full = len - len % L;
        FloatVector t = FloatVector.zero(F);
        for (int q = 0; q < full; q += L) t = t.add(FloatVector.fromArray(F, x, off + q));
        if (full < len) t = t.add(FloatVector.zero(F).blend(FloatVector.fromArray(F, x, off + full), TAIL[len - full]));
        return sumLanes(t, lanes);
    }

    /** The lanes of v added pairwise in a fixed tree: (l0 + l8) + (l4 + l12) + ... for 16 lanes. */
    static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        for (int w = L >> 1; w > 0; w >>= 1)
            for (int i = 0; i < w; i++) lanes[i] += lanes[i + w];
        return lanes[0];
    }
}
