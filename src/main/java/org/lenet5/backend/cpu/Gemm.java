package org.lenet5.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix kernels the cpu backend's layers are built from (products, products over a batch split in parts, row
 * dot products), written with the Vector API
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
     * Blocks of 4 rows by 3 vectors (then one of 2 vectors, then masked single vectors for the last columns) are
     * kept in registers over all of k; the last row block repeats row R-1 (same values, stored twice).
     * With more than one block of rows, each panel of 3 vectors of B's columns is first copied into
     * {@code panel} (K, 3L), contiguous: every row block reads the panel again, and rows of B a multiple of 4 KB
     * apart (a chunk's im2col rows are 1,024 floats long) all fall into the same few sets of the L1 cache, which
     * then holds few of them; contiguous, the panel stays in L1 (with AVX2, conv2's forward product 121 -> 94 us
     * and its input gradient's 154 -> 90 us per chunk, log entry 33). A K too large for the panel reads B in place.
     *
     * @param panel scratch from {@link #panelScratch} (one per thread)
     */
    static void multiply(float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc,
                         int rows, int inner, int cols, Init init, float[] bias, int biasOff, float[] panel) {
        int p = 0;
        boolean pack = rows > 4 && inner * 3 * L <= panel.length;
        for (; p + 3 * L <= cols; p += 3 * L) {
            float[] bp = b;
            int bCol = bOff + p, ld = ldb;
            if (pack) {
                for (int k = 0, src = bCol, dst = 0; k < inner; k++, src += ldb, dst += 3 * L) {
                    FloatVector.fromArray(F, b, src).intoArray(panel, dst);
                    FloatVector.fromArray(F, b, src + L).intoArray(panel, dst + L);
                    FloatVector.fromArray(F, b, src + 2 * L).intoArray(panel, dst + 2 * L);
                }
                bp = panel;
                bCol = 0;
                ld = 3 * L;
            }
            for (int r = 0; r < rows; r += 4)
                block4x3(a, aOff, aRs, aCs, bp, bCol, ld, c, cOff, ldc, rows, inner, r, p, init, bias, biasOff);
        }
        for (; p + 2 * L <= cols; p += 2 * L)
            for (int r = 0; r < rows; r += 4)
                block4x2(a, aOff, aRs, aCs, b, bOff, ldb, c, cOff, ldc, rows, inner, r, p, init, bias, biasOff);
        for (; p < cols; p += L) {
            VectorMask<Float> m = TAIL[Math.min(L, cols - p)];
            for (int r = 0; r < rows; r += 4)
                block4x1(a, aOff, aRs, aCs, b, bOff, ldb, c, cOff, ldc, rows, inner, r, p, init, bias, biasOff, m);
        }
    }

    /** Scratch for {@link #multiply}'s panels of B, for inner dimensions up to maxInner: one per thread. */
    static float[] panelScratch(int maxInner) { return new float[maxInner * 3 * L]; }

    /**
     * C[r..r+3][p, p + 3L) (the last rows repeated at the edge); B's first column of the block at b[bCol], rows
     * ldb apart (B itself, or the packed panel). 12 accumulators, 3 loads and 4 broadcasts per k: fits the 16
     * vector registers of AVX2, and needs one broadcast of A per 3 multiply-adds where block4x2 needs one per 2.
     */
    private static void block4x3(float[] a, int aOff, int aRs, int aCs, float[] b, int bCol, int ldb,
                                 float[] c, int cOff, int ldc, int rows, int inner, int r, int p,
                                 Init init, float[] bias, int biasOff) {
        int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
        FloatVector s00, s01, s02, s10, s11, s12, s20, s21, s22, s30, s31, s32;
        switch (init) {
            case ZERO -> {
                s00 = s01 = s02 = s10 = s11 = s12 = s20 = s21 = s22 = s30 = s31 = s32 = FloatVector.zero(F);
            }
            case ROW_BIAS -> {
                s00 = s01 = s02 = FloatVector.broadcast(F, bias[biasOff + r]);
                s10 = s11 = s12 = FloatVector.broadcast(F, bias[biasOff + r1]);
                s20 = s21 = s22 = FloatVector.broadcast(F, bias[biasOff + r2]);
                s30 = s31 = s32 = FloatVector.broadcast(F, bias[biasOff + r3]);
            }
            default -> {
                s00 = s10 = s20 = s30 = FloatVector.fromArray(F, bias, biasOff + p);
                s01 = s11 = s21 = s31 = FloatVector.fromArray(F, bias, biasOff + p + L);
                s02 = s12 = s22 = s32 = FloatVector.fromArray(F, bias, biasOff + p + 2 * L);
            }
        }
        int a0 = aOff + r * aRs, a1 = aOff + r1 * aRs, a2 = aOff + r2 * aRs, a3 = aOff + r3 * aRs;
        int bk = bCol, ak = 0;
        for (int k = 0; k < inner; k++, bk += ldb, ak += aCs) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk), b1 = FloatVector.fromArray(F, b, bk + L),
                    b2 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector w = FloatVector.broadcast(F, a[a0 + ak]);
            s00 = b0.fma(w, s00); s01 = b1.fma(w, s01); s02 = b2.fma(w, s02);
            w = FloatVector.broadcast(F, a[a1 + ak]);
            s10 = b0.fma(w, s10); s11 = b1.fma(w, s11); s12 = b2.fma(w, s12);
            w = FloatVector.broadcast(F, a[a2 + ak]);
            s20 = b0.fma(w, s20); s21 = b1.fma(w, s21); s22 = b2.fma(w, s22);
            w = FloatVector.broadcast(F, a[a3 + ak]);
            s30 = b0.fma(w, s30); s31 = b1.fma(w, s31); s32 = b2.fma(w, s32);
        }
        int c0 = cOff + r * ldc + p, c1 = cOff + r1 * ldc + p, c2 = cOff + r2 * ldc + p, c3 = cOff + r3 * ldc + p;
        s00.intoArray(c, c0); s01.intoArray(c, c0 + L); s02.intoArray(c, c0 + 2 * L);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + L); s12.intoArray(c, c1 + 2 * L);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + L); s22.intoArray(c, c2 + 2 * L);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + L); s32.intoArray(c, c3 + 2 * L);
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

    // ---------------------------------------------------------------- C = A^T B over a batch split in parts

    /**
     * Rows [r0, r1) of C (R, P) = A^T B, where A (K, R) and B (K, P) have their K rows (a batch's images) split over
     * parts: part q holds counts[q] rows, A's at a[q][k*lda + r] and B's at b[q][k*ldb + p]; C[r][p] = c[cOff + r*ldc + p].
     * Each element is one fused multiply-add per row of the batch, parts in order and rows in order within a part,
     * from 0: exactly what {@link #multiply} gives for the whole batch in one array, and independent of r0 and r1
     * (how the rows of C are shared out). The blocks are multiply's 4x2 and masked ones (4 rows by 2 vectors, the
     * last row repeated, a masked last vector whose store rewrites the lanes past the row with the values they hold: the
     * caller must own the floats up to one vector past row r1-1).
     */
    static void multiplyTransposedParts(float[][] a, int lda, float[][] b, int ldb, int[] counts, int parts,
                                        float[] c, int cOff, int ldc, int r0, int r1, int cols) {
        multiplyTransposedParts(a, lda, b, ldb, counts, 0, parts, c, cOff, ldc, r0, r1, cols);
    }

    /**
     * As above for parts [q0, q1) only, continuing from the sums C holds when q0 > 0: calling it for parts [0, k)
     * and later for [k, parts) gives the same floats as one call for all parts (the same multiply-adds in the same
     * order; a sum is stored and loaded between parts either way).
     */
    static void multiplyTransposedParts(float[][] a, int lda, float[][] b, int ldb, int[] counts, int q0, int q1,
                                        float[] c, int cOff, int ldc, int r0, int r1, int cols) {
        // Block by block, part after part: the block's sums go through C between parts (it stays in the L1
        // cache). One loop over all parts inside the block kernel would nest the accumulators' loops, and C2 (17)
        // then boxes the vectors: 8 MB allocated per step, measured. Kernels of their own, not multiply's with
        // one more kind of start: sharing would mix this caller's profile into the forward pass's hottest code.
        int p = 0;
        for (; p + 2 * L <= cols; p += 2 * L)
            for (int r = r0; r < r1; r += 4)
                for (int q = q0; q < q1; q++)
                    partBlock4x2(a[q], lda, b[q], ldb, counts[q], q > 0, c, cOff, ldc, r1, r, p);
        for (; p < cols; p += L) {
            VectorMask<Float> m = TAIL[Math.min(L, cols - p)];
            for (int r = r0; r < r1; r += 4)
                for (int q = q0; q < q1; q++)
                    partBlock4x1(a[q], lda, b[q], ldb, counts[q], q > 0, c, cOff, ldc, r1, r, p, m);
        }
    }

    /** One part's rows added to a 4 x 2L block of C (started from 0 for the first part, from C for the others). */
    private static void partBlock4x2(float[] a, int lda, float[] b, int ldb, int n, boolean add,
                                     float[] c, int cOff, int ldc, int end, int r, int p) {
        int r1 = Math.min(r + 1, end - 1), r2 = Math.min(r + 2, end - 1), r3 = Math.min(r + 3, end - 1);
        int c0 = cOff + r * ldc + p, c1 = cOff + r1 * ldc + p, c2 = cOff + r2 * ldc + p, c3 = cOff + r3 * ldc + p;
        FloatVector s00, s01, s10, s11, s20, s21, s30, s31;
        if (add) {
            s00 = FloatVector.fromArray(F, c, c0); s01 = FloatVector.fromArray(F, c, c0 + L);
            s10 = FloatVector.fromArray(F, c, c1); s11 = FloatVector.fromArray(F, c, c1 + L);
            s20 = FloatVector.fromArray(F, c, c2); s21 = FloatVector.fromArray(F, c, c2 + L);
            s30 = FloatVector.fromArray(F, c, c3); s31 = FloatVector.fromArray(F, c, c3 + L);
        } else {
            s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = FloatVector.zero(F);
        }
        for (int k = 0, ak = 0, bk = p; k < n; k++, ak += lda, bk += ldb) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk), b1 = FloatVector.fromArray(F, b, bk + L);
            FloatVector w = FloatVector.broadcast(F, a[ak + r]);
            s00 = b0.fma(w, s00); s01 = b1.fma(w, s01);
            w = FloatVector.broadcast(F, a[ak + r1]);
            s10 = b0.fma(w, s10); s11 = b1.fma(w, s11);
            w = FloatVector.broadcast(F, a[ak + r2]);
            s20 = b0.fma(w, s20); s21 = b1.fma(w, s21);
            w = FloatVector.broadcast(F, a[ak + r3]);
            s30 = b0.fma(w, s30); s31 = b1.fma(w, s31);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + L);
    }

    /** As partBlock4x2 for one vector of columns, the lanes m selects (a row's last, partial vector). */
    private static void partBlock4x1(float[] a, int lda, float[] b, int ldb, int n, boolean add,
                                     float[] c, int cOff, int ldc, int end, int r, int p, VectorMask<Float> m) {
        int r1 = Math.min(r + 1, end - 1), r2 = Math.min(r + 2, end - 1), r3 = Math.min(r + 3, end - 1);
        int c0 = cOff + r * ldc + p, c1 = cOff + r1 * ldc + p, c2 = cOff + r2 * ldc + p, c3 = cOff + r3 * ldc + p;
        FloatVector s0, s1, s2, s3;
        if (add) {
            s0 = FloatVector.fromArray(F, c, c0); s1 = FloatVector.fromArray(F, c, c1);
            s2 = FloatVector.fromArray(F, c, c2); s3 = FloatVector.fromArray(F, c, c3);
        } else {
            s0 = s1 = s2 = s3 = FloatVector.zero(F);
        }
        for (int k = 0, ak = 0, bk = p; k < n; k++, ak += lda, bk += ldb) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            s0 = b0.fma(FloatVector.broadcast(F, a[ak + r]), s0);
            s1 = b0.fma(FloatVector.broadcast(F, a[ak + r1]), s1);
            s2 = b0.fma(FloatVector.broadcast(F, a[ak + r2]), s2);
            s3 = b0.fma(FloatVector.broadcast(F, a[ak + r3]), s3);
        }
        storeFirstLanes(s0, c, c0, m); storeFirstLanes(s1, c, c1, m);
        storeFirstLanes(s2, c, c2, m); storeFirstLanes(s3, c, c3, m);
    }

    // ---------------------------------------------------------------- C = init + A B^T (row dot products)

    /**
     * C[r][s] = sum over q < len of A[r][q] · B[s][q], for r < rows, s < cols, where
     * A[r][q] = a[aOff + aRow[r] + q] and B[s][q] = b[bOff + bRow[s] + q] (row offsets, so rows may be shifted
     * windows of one image, as in the first convolution's weight gradient), C[r][s] = c[cOff + r*ldc + s*cs].
     * Either operand may be A: the products and sums are the same, so callers put the side with more rows first
     * (blocks waste less on a repeated edge row).
     * Each dot keeps one vector of partial sums (lane i sums q = i mod L), then {@link #sumLanes}.
     *
     * @param lanes scratch from {@link #dotScratch} (one per thread)
     */
    static void dotRows(float[] a, int aOff, int[] aRow, float[] b, int bOff, int[] bRow,
                        float[] c, int cOff, int ldc, int cs, int rows, int cols, int len, float[] lanes) {
        int full = len - len % L;
        VectorMask<Float> tail = TAIL[len - full];
        FloatVector zero = FloatVector.zero(F);
        // Blocks of 4 rows by 3 columns: 7 loads feed 12 multiply-adds (a 2x2 block: 4 loads for 4), 12 + 7 of
        // the 32 vector registers of AVX-512. Edge blocks repeat row rows-1 or column cols-1.
        for (int r = 0; r < rows; r += 4) {
            int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
            int a0 = aOff + aRow[r], a1 = aOff + aRow[r1], a2 = aOff + aRow[r2], a3 = aOff + aRow[r3];
            for (int s = 0; s < cols; s += 3) {
                int s1 = Math.min(s + 1, cols - 1), s2 = Math.min(s + 2, cols - 1);
                int b0 = bOff + bRow[s], b1 = bOff + bRow[s1], b2 = bOff + bRow[s2];
                FloatVector t00 = zero, t01 = zero, t02 = zero, t10 = zero, t11 = zero, t12 = zero;
                FloatVector t20 = zero, t21 = zero, t22 = zero, t30 = zero, t31 = zero, t32 = zero;
                for (int q = 0; q < full; q += L) {
                    FloatVector y0 = FloatVector.fromArray(F, b, b0 + q), y1 = FloatVector.fromArray(F, b, b1 + q),
                            y2 = FloatVector.fromArray(F, b, b2 + q);
                    FloatVector x = FloatVector.fromArray(F, a, a0 + q);
                    t00 = x.fma(y0, t00); t01 = x.fma(y1, t01); t02 = x.fma(y2, t02);
                    x = FloatVector.fromArray(F, a, a1 + q);
                    t10 = x.fma(y0, t10); t11 = x.fma(y1, t11); t12 = x.fma(y2, t12);
                    x = FloatVector.fromArray(F, a, a2 + q);
                    t20 = x.fma(y0, t20); t21 = x.fma(y1, t21); t22 = x.fma(y2, t22);
                    x = FloatVector.fromArray(F, a, a3 + q);
                    t30 = x.fma(y0, t30); t31 = x.fma(y1, t31); t32 = x.fma(y2, t32);
                }
                {   // the tail, always (no lanes when len is a multiple of L): C2 compiles a conditional block
                    // that merges 12 vectors poorly once both ways have been taken (10x slower measured)
                    FloatVector y0 = zero.blend(FloatVector.fromArray(F, b, b0 + full), tail);
                    FloatVector y1 = zero.blend(FloatVector.fromArray(F, b, b1 + full), tail);
                    FloatVector y2 = zero.blend(FloatVector.fromArray(F, b, b2 + full), tail);
                    FloatVector x = zero.blend(FloatVector.fromArray(F, a, a0 + full), tail);
                    t00 = x.fma(y0, t00); t01 = x.fma(y1, t01); t02 = x.fma(y2, t02);
                    x = zero.blend(FloatVector.fromArray(F, a, a1 + full), tail);
                    t10 = x.fma(y0, t10); t11 = x.fma(y1, t11); t12 = x.fma(y2, t12);
                    x = zero.blend(FloatVector.fromArray(F, a, a2 + full), tail);
                    t20 = x.fma(y0, t20); t21 = x.fma(y1, t21); t22 = x.fma(y2, t22);
                    x = zero.blend(FloatVector.fromArray(F, a, a3 + full), tail);
                    t30 = x.fma(y0, t30); t31 = x.fma(y1, t31); t32 = x.fma(y2, t32);
                }
                // The 12 sums leave through memory: a method taking vectors that C2 does not inline (this one is
                // near its inlining budget) would box them, allocating on every block.
                t00.intoArray(lanes, 0); t01.intoArray(lanes, L); t02.intoArray(lanes, 2 * L);
                t10.intoArray(lanes, 3 * L); t11.intoArray(lanes, 4 * L); t12.intoArray(lanes, 5 * L);
                t20.intoArray(lanes, 6 * L); t21.intoArray(lanes, 7 * L); t22.intoArray(lanes, 8 * L);
                t30.intoArray(lanes, 9 * L); t31.intoArray(lanes, 10 * L); t32.intoArray(lanes, 11 * L);
                storeBlock(c, cOff, ldc, cs, r, r1, r2, r3, s, s1, s2, lanes);
            }
        }
    }

    /** Scratch for {@link #dotRows} and {@link #sum}: one per thread. */
    static float[] dotScratch() { return new float[12 * L]; }

    /**
     * The 4x3 block's sums (lanes holds its 12 vectors, row-major) into C (an edge block that repeats row rows-1
     * or column cols-1 stores the same value twice). Each vector is summed by {@link #sumLanes}' tree, done with
     * lane rotations here, in a method of its own: C2 compiles these shuffles to single instructions only in a
     * small method (in dotRows they would exceed its inlining budget and box the vectors).
     */
    private static void storeBlock(float[] c, int cOff, int ldc, int cs, int r, int r1, int r2, int r3, int s, int s1,
                                   int s2, float[] lanes) {
        for (int v = 0; v < 12; v++) {
            FloatVector x = FloatVector.fromArray(F, lanes, v * L);
            if (L >= 16) x = x.add(x.rearrange(ROTATE_8));
            if (L >= 8) x = x.add(x.rearrange(ROTATE_4));
            if (L >= 4) x = x.add(x.rearrange(ROTATE_2));
            x.add(x.rearrange(ROTATE_1)).intoArray(lanes, v * L);   // the sum in lane 0
        }
        storeRow(c, cOff + r * ldc, s * cs, s1 * cs, s2 * cs, lanes, 0);
        if (r1 != r) storeRow(c, cOff + r1 * ldc, s * cs, s1 * cs, s2 * cs, lanes, 3 * L);
        if (r2 != r1) storeRow(c, cOff + r2 * ldc, s * cs, s1 * cs, s2 * cs, lanes, 6 * L);
        if (r3 != r2) storeRow(c, cOff + r3 * ldc, s * cs, s1 * cs, s2 * cs, lanes, 9 * L);
    }

    /** Lane i takes lane (i + k) mod L: adding it to the vector pairs lanes i and i + k as sumLanes' tree does. */
    private static final VectorShuffle<Float> ROTATE_8 = rotation(8), ROTATE_4 = rotation(4), ROTATE_2 = rotation(2),
            ROTATE_1 = rotation(1);

    private static VectorShuffle<Float> rotation(int k) {
        return VectorShuffle.fromOp(F, i -> (i + k) % L);
    }

    private static void storeRow(float[] c, int row, int s, int s1, int s2, float[] lanes, int at) {
        c[row + s] = lanes[at];
        c[row + s1] = lanes[at + L];
        c[row + s2] = lanes[at + 2 * L];
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
        return treeSum(lanes, 0);
    }

    /** x[at, at + L) added in sumLanes' tree, in place. */
    private static float treeSum(float[] x, int at) {
        for (int w = L >> 1; w > 0; w >>= 1)
            for (int i = 0; i < w; i++) x[at + i] += x[at + i + w];
        return x[at];
    }
}
