package org.lenet5.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.lenet5.model.Activation;
import org.lenet5.model.Pooling;

import java.util.Arrays;

import static org.lenet5.backend.cpu.Gemm.F;
import static org.lenet5.backend.cpu.Gemm.L;
import static org.lenet5.model.ModelSpec.C1;
import static org.lenet5.model.ModelSpec.CLASSES;
import static org.lenet5.model.ModelSpec.KERNEL;

/**
 * LeNet-5's layers in float32 over a chunk of n images, each forward next to its backward; same semantics as
 * {@code ReferenceLayers} (which documents them), different memory layouts chosen for the vector kernels:
 * <pre>
 * input  (n, H, W)
 * conv1  (6, n, H, W)   "grid": the output keeps the input's row stride; (i, j) with i &lt; OH1, j &lt; OW1 are
 *                       valid, other positions hold junk forward and zero in the gradient
 * pool1  (n, 6, P1h, P1w)        NCHW
 * col2   (150, n*OH2*OW2)         im2col of pool1 for conv2, row (c*5 + u)*5 + v
 * conv2  (16, n, OH2, OW2)        channel-major, so conv2 is one matrix product over n*OH2*OW2 columns
 * pool2  (n, 16*P2h*P2w)          NCHW flattened, as fc1 reads it
 * fc     (n, units)
 * </pre>
 * Backward functions write (not add) the weight and bias gradients of the chunk into its own gradient buffer,
 * so it needs no zeroing, and overwrite their input gradients.
 */
final class CpuLayers {

    private CpuLayers() {}

    static final int TAPS = KERNEL * KERNEL;

    // ---------------------------------------------------------------- conv1: 5x5, 1 -> 6, direct

    /**
     * x (n, h, w), weight (6, 1, 5, 5) at wo, bias (6) at bo in p -> y (6, n, h, w) grid.
     * Output position q = i*w + j of an image reads x[q + u*w + v], so an image is one flat run of
     * span = (OH-1)*w + OW positions, 2 vectors by 6 channels at a time, with no im2col copy.
     * The junk columns j >= OW cost (w - OW)/w extra work; the stores of the last block stay inside the
     * image's plane because 4w + 4 >= 2L (checked by the backend).
     */
    static void conv1Forward(float[] x, int n, int h, int w, float[] p, int wo, int bo, float[] y) {
        int hw = h * w, span = (h - KERNEL) * w + (w - KERNEL + 1);
        int plane = n * hw;
        for (int b = 0; b < n; b++) {
            int xb = b * hw, yb = b * hw;
            for (int q = 0; q < span; q += 2 * L) {
                FloatVector s00 = FloatVector.broadcast(F, p[bo]), s01 = s00;
                FloatVector s10 = FloatVector.broadcast(F, p[bo + 1]), s11 = s10;
                FloatVector s20 = FloatVector.broadcast(F, p[bo + 2]), s21 = s20;
                FloatVector s30 = FloatVector.broadcast(F, p[bo + 3]), s31 = s30;
                FloatVector s40 = FloatVector.broadcast(F, p[bo + 4]), s41 = s40;
                FloatVector s50 = FloatVector.broadcast(F, p[bo + 5]), s51 = s50;
                for (int u = 0; u < KERNEL; u++)
                    for (int v = 0; v < KERNEL; v++) {
                        int xi = xb + q + u * w + v, t = wo + u * KERNEL + v;
                        FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + L);
                        FloatVector k = FloatVector.broadcast(F, p[t]);
                        s00 = x0.fma(k, s00); s01 = x1.fma(k, s01);
                        k = FloatVector.broadcast(F, p[t + TAPS]);
                        s10 = x0.fma(k, s10); s11 = x1.fma(k, s11);
                        k = FloatVector.broadcast(F, p[t + 2 * TAPS]);
                        s20 = x0.fma(k, s20); s21 = x1.fma(k, s21);
                        k = FloatVector.broadcast(F, p[t + 3 * TAPS]);
                        s30 = x0.fma(k, s30); s31 = x1.fma(k, s31);
                        k = FloatVector.broadcast(F, p[t + 4 * TAPS]);
                        s40 = x0.fma(k, s40); s41 = x1.fma(k, s41);
                        k = FloatVector.broadcast(F, p[t + 5 * TAPS]);
                        s50 = x0.fma(k, s50); s51 = x1.fma(k, s51);
                    }
                int yi = yb + q;
                s00.intoArray(y, yi); s01.intoArray(y, yi + L);
                s10.intoArray(y, yi + plane); s11.intoArray(y, yi + plane + L);
                s20.intoArray(y, yi + 2 * plane); s21.intoArray(y, yi + 2 * plane + L);
                s30.intoArray(y, yi + 3 * plane); s31.intoArray(y, yi + 3 * plane + L);
                s40.intoArray(y, yi + 4 * plane); s41.intoArray(y, yi + 4 * plane + L);
                s50.intoArray(y, yi + 5 * plane); s51.intoArray(y, yi + 5 * plane + L);
            }
        }
    }

    /**
     * dy (6, n, h, w) grid, zero outside the valid positions -> dWeight (6, 25) at gwo, dBias (6) at gbo, written into g.
     * dW[o][u][v] = sum over grid positions q of dy[o][q] * x[q + u*w + v], taken over the whole chunk at once:
     * a valid q never reads past its own image, and the junk q (where it would) carry a zero gradient.
     * The input needs no gradient.
     *
     * @param taps   scratch int[25] for the tap offsets u*w + v
     * @param planes scratch int[6] for the channels' plane offsets
     */
    static void conv1Backward(float[] x, int n, int h, int w, float[] dy, float[] g, int gwo, int gbo,
                              int[] taps, int[] planes, float[] lanes) {
        int hw = h * w, plane = n * hw;
        for (int u = 0; u < KERNEL; u++)
            for (int v = 0; v < KERNEL; v++) taps[u * KERNEL + v] = u * w + v;
        for (int o = 0; o < C1; o++) planes[o] = o * plane;
        int len = plane - ((KERNEL - 1) * w + KERNEL - 1);
        // the 25 taps as rows (7 blocks of 4, 28 rows for 25) and the 6 channels as columns (2 blocks of 3):
        // C[tap][o] is dW[o][tap] = g[gwo + o*25 + tap]
        Gemm.dotRows(x, 0, taps, dy, 0, planes, g, gwo, 1, TAPS, TAPS, C1, len, lanes);
        for (int o = 0; o < C1; o++) g[gbo + o] = Gemm.sum(dy, o * plane, plane, lanes);
    }

    // ---------------------------------------------------------------- conv2: 5x5, c -> k, im2col + matrix product

    /**
     * x (n, c, h, w) -> col (c*25, n*oh*ow): col[(ch*5 + u)*5 + v][(b*oh + i)*ow + j] = x[b][ch][i+u][j+v].
     * Each output row of ow floats is copied as whole vectors: the lanes past ow land where the next row's copy
     * goes (rows are written in increasing order, so they are overwritten), the last row's in col's PAD; reads
     * stay within x's PAD. So no masks, which Java 17 compiles to slow code.
     */
    static void im2col(float[] x, int n, int c, int h, int w, float[] col) {
        int oh = h - KERNEL + 1, ow = w - KERNEL + 1;
        int dst = 0;
        for (int ch = 0; ch < c; ch++)
            for (int u = 0; u < KERNEL; u++)
                for (int v = 0; v < KERNEL; v++)
                    for (int b = 0; b < n; b++) {
                        int src = ((b * c + ch) * h + u) * w + v;
                        for (int i = 0; i < oh; i++, src += w, dst += ow)
                            for (int j = 0; j < ow; j += L)
                                FloatVector.fromArray(F, x, src + j).intoArray(col, dst + j);
                    }
    }

    /**
     * Where dcol starts in its buffer: col2im loads dcol up to KERNEL-1 floats before a row's start (lanes it
     * then drops), so the first row needs that much room before it.
     */
    static final int DCOL_OFFSET = L;

    /**
     * dcol's row stride for P columns: one cache line more than P. Rows P floats apart are a multiple of 4 KB apart
     * when P is a multiple of 1,024 (a chunk of 16 flux images), so the 25 rows col2im reads for one output vector
     * would all fall in the same set of the L1 cache; a line further apart each, they spread over 25 sets
     * (col2im 73 -> 52 us per chunk with AVX2, log entry 35).
     */
    static int dcolStride(int cols) { return cols + 16; }

    /**
     * dcol (c*25, n*oh*ow), rows {@link #dcolStride} apart from DCOL_OFFSET -> dx (n, c, h, w): every tap's
     * gradient added back where im2col read it (overwrites dx). Gathered per output row rather than scattered per
     * tap, so dx is written once, from registers:
     * dx[b][ch][r][x] = sum over u (with i = r-u in [0, oh)) and v of dcol[(ch*5 + u)*5 + v][(b*oh + i)*ow + x-v]
     * for 0 <= x-v < ow. A vector of x reads dcol shifted by -v and multiplies by keep (1 for the lanes with x-v in
     * range, 0 for the others, which hold neighbouring rows' values or the gap between dcol's rows, finite), one
     * accumulator per v, added in a
     * fixed order. Stores are whole vectors: lanes past w land where the next row (written next) or PAD goes.
     *
     * @param keep from {@link #col2imKeep}
     */
    static void col2im(float[] dcol, int n, int c, int h, int w, float[] keep, float[] dx) {
        int oh = h - KERNEL + 1, ow = w - KERNEL + 1, ld = dcolStride(n * oh * ow);
        FloatVector zero = FloatVector.zero(F);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int r = 0; r < h; r++) {
                    int uLo = Math.max(0, r - oh + 1), uHi = Math.min(KERNEL - 1, r);
                    int dst = ((b * c + ch) * h + r) * w;
                    for (int x0 = 0, k = 0; x0 < w; x0 += L, k += KERNEL * L) {
                        FloatVector k0 = FloatVector.fromArray(F, keep, k), k1 = FloatVector.fromArray(F, keep, k + L),
                                k2 = FloatVector.fromArray(F, keep, k + 2 * L), k3 = FloatVector.fromArray(F, keep, k + 3 * L),
                                k4 = FloatVector.fromArray(F, keep, k + 4 * L);
                        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero;
                        for (int u = uLo; u <= uHi; u++) {
                            int row = DCOL_OFFSET + (ch * KERNEL + u) * KERNEL * ld + (b * oh + r - u) * ow + x0;
                            a0 = FloatVector.fromArray(F, dcol, row).fma(k0, a0);
                            a1 = FloatVector.fromArray(F, dcol, row + ld - 1).fma(k1, a1);
                            a2 = FloatVector.fromArray(F, dcol, row + 2 * ld - 2).fma(k2, a2);
                            a3 = FloatVector.fromArray(F, dcol, row + 3 * ld - 3).fma(k3, a3);
                            a4 = FloatVector.fromArray(F, dcol, row + 4 * ld - 4).fma(k4, a4);
                        }
                        a0.add(a1).add(a2.add(a3)).add(a4).intoArray(dx, dst + x0);
                    }
                }
    }

    /** col2im's lane weights for rows of w: (ceil(w/L), 5, L), 1 where 0 <= x0 + lane - v < w-4, else 0. */
    static float[] col2imKeep(int w) {
        int ow = w - KERNEL + 1, blocks = (w + L - 1) / L;
        float[] keep = new float[blocks * KERNEL * L];
        for (int blk = 0; blk < blocks; blk++)
            for (int v = 0; v < KERNEL; v++)
                for (int lane = 0; lane < L; lane++) {
                    int j = blk * L + lane - v;
                    keep[(blk * KERNEL + v) * L + lane] = j >= 0 && j < ow ? 1f : 0f;
                }
        return keep;
    }

    /**
     * col (c*25, P) -> y (k, P) = weight (k, c*25) at wo · col + bias (k) at bo, P = n*oh*ow columns.
     *
     * @param panel scratch from Gemm.panelScratch for an inner dimension of c*25
     */
    static void conv2Forward(float[] col, int c, int k, int cols, float[] p, int wo, int bo, float[] y, float[] panel) {
        int taps = c * TAPS;
        Gemm.multiply(p, wo, taps, 1, col, 0, cols, y, 0, cols, k, taps, cols, Gemm.Init.ROW_BIAS, p, bo, panel);
    }

    /**
     * dy (k, P) -> dWeight (k, c*25) = dy · col^T at gwo, dBias (k) = row sums at gbo, and
     * dcol (c*25, P) at DCOL_OFFSET, rows {@link #dcolStride} apart, = weight^T · dy (the caller turns it into the
     * input gradient with col2im).
     * The weight gradient is formed transposed, dWeight^T (c*25, k) = col · dy^T, as a matrix product that reads
     * B (dy^T, k floats a row) in sequence and col by broadcasts from 4 rows at a time: as dot products of dy's rows
     * with col's (Gemm.dotRows, 7 rows 4 KB apart streamed at once) it took 132 us per chunk of 16 images against
     * 81 us (AVX2, log entry 34). Each element is one fma chain over the chunk's P positions.
     *
     * @param dyT   scratch (P, k)
     * @param gT    scratch (c*25, k)
     * @param panel scratch from Gemm.panelScratch for an inner dimension of k (dcol's product; the weight gradient's,
     *              of inner dimension P and only k columns, reads B in place)
     */
    static void conv2Backward(float[] col, int c, int k, int cols, float[] p, int wo, float[] dy,
                              float[] g, int gwo, int gbo, float[] dcol, float[] dyT, float[] gT, float[] lanes,
                              float[] panel) {
        int taps = c * TAPS;
        transpose(dy, k, cols, dyT);
        Gemm.multiply(col, 0, cols, 1, dyT, 0, k, gT, 0, k, taps, cols, k, Gemm.Init.ZERO, null, 0, panel);
        for (int o = 0; o < k; o++)
            for (int t = 0; t < taps; t++) g[gwo + o * taps + t] = gT[t * k + o];
        for (int o = 0; o < k; o++) g[gbo + o] = Gemm.sum(dy, o * cols, cols, lanes);
        // weight (k, taps) read as its transpose: A[r = tap][kk = o] = p[wo + o*taps + tap]
        Gemm.multiply(p, wo, 1, taps, dy, 0, cols, dcol, DCOL_OFFSET, dcolStride(cols), taps, k, cols, Gemm.Init.ZERO, null, 0,
                panel);
    }

    /**
     * x (rows, cols) -> xT (cols, rows). In tiles of 16 columns, so each row's part of a tile is one cache line,
     * read once (x's rows are often a multiple of 4 KB apart, which the L1 cache holds few of at a time).
     */
    static void transpose(float[] x, int rows, int cols, float[] xT) {
        for (int q0 = 0; q0 < cols; q0 += 16) {
            int q1 = Math.min(q0 + 16, cols);
            for (int o = 0; o < rows; o++)
                for (int q = q0, src = o * cols + q0; q < q1; q++, src++) xT[q * rows + o] = x[src];
        }
    }

    // ---------------------------------------------------------------- activation

    /**
     * y[i] = f(x[i]) for i in [off, off + len). For the scaled tanh, deriv[i] = f'(x[i]) is kept for the
     * backward pass (recomputing it from y would lose accuracy where tanh saturates); deriv is unused for ReLU.
     */
    static void activationForward(Activation a, float[] x, float[] y, float[] deriv, int off, int len) {
        int end = off + len;
        if (a == Activation.RELU) {
            int i = off;
            FloatVector zero = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
            }
            for (; i < end; i++) y[i] = x[i] > 0 ? x[i] : 0f;
        } else {
            int i = off;
            for (; i + L <= end; i += L) scaledTanhVector(x, y, deriv, i);
            for (; i < end; i++) scaledTanh(x, y, deriv, i);
        }
    }

    /** d[i] = f'(x[i]) * d[i] in place; ReLU' is 1 where y > 0 (the same as x > 0) and 0 elsewhere, 0 included. */
    static void activationBackward(Activation a, float[] y, float[] deriv, float[] d, int off, int len) {
        int end = off + len;
        if (a == Activation.RELU) {
            int i = off;
            FloatVector zero = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                FloatVector v = FloatVector.fromArray(F, d, i);
                zero.blend(v, FloatVector.fromArray(F, y, i).compare(VectorOperators.GT, 0f)).intoArray(d, i);
            }
            for (; i < end; i++) d[i] = y[i] > 0 ? d[i] : 0f;
        } else {
            int i = off;
            for (; i + L <= end; i += L)
                FloatVector.fromArray(F, d, i).mul(FloatVector.fromArray(F, deriv, i)).intoArray(d, i);
            for (; i < end; i++) d[i] = d[i] * deriv[i];
        }
    }

    // The scaled tanh y = A tanh(z), z = S x, and its derivative A S (1 - tanh^2 z), in float32 from
    // e = exp(-2|z|): tanh|z| = (1 - e) / (1 + e) and 1 - tanh^2 z = 4e / (1 + e)^2 (no cancellation where tanh
    // saturates). exp is computed here from + - * / and fma only, never Math.exp or the Vector API's EXP (a native
    // routine in compiled code, a different one in the interpreter), so every element gets bit-identical results
    // whether it sits in a vector or in the scalar tail, and before or after the JIT compiles the loop:
    //   a = -2|z| (clamped to -87, where e underflows float anyway), k = round(a / ln 2), r = a - k ln 2 (two-part
    //   ln 2, exact products), expm1(r) by Taylor to r^7 (|r| <= 0.35: error 6e-9), e = 2^k (1 + expm1 r).
    //   k is rounded by adding ROUND = 1.5 * 2^23, which leaves the float kr = ROUND + k with the integer k + 2^22
    //   in its low mantissa bits; 2^k is then the float with bits (bits(kr) + 127) << 23 (the shift drops the rest).
    //   (The Vector API's float-to-int conversion is not compiled to an instruction on Java 17: 6x slower.)
    // Error a few float ulps, against the double reference's half ulp; measured in CpuBackendMatchesReferenceTest.
    private static final float TANH_A = (float) Activation.TANH_A, TANH_S = (float) Activation.TANH_S,
            TANH_4AS = (float) (4 * Activation.TANH_A * Activation.TANH_S);
    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693145751953125f, LN2_LO = 1.42860677e-6f;
    private static final float ROUND = 12582912f;   // 1.5 * 2^23: (v + ROUND) - ROUND rounds v to an integer
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    /** y and deriv at [i, i+L), from x (arrays, not vectors, as arguments: a vector passed to a call C2 does not inline is boxed). */
    private static void scaledTanhVector(float[] x, float[] y, float[] deriv, int i) {
        FloatVector z = FloatVector.fromArray(F, x, i).mul(TANH_S);
        FloatVector a = z.abs().mul(-2f).max(-87f);
        FloatVector kr = a.mul(LOG2E).add(ROUND), k = kr.sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), a);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, FloatVector.broadcast(F, C5));
        p = p.fma(r, FloatVector.broadcast(F, C4));
        p = p.fma(r, FloatVector.broadcast(F, C3));
        p = p.fma(r, FloatVector.broadcast(F, C2));
        FloatVector em1r = r.mul(r).fma(p, r);
        FloatVector twoK = ((IntVector) kr.reinterpretAsInts()).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector e = twoK.fma(em1r, twoK), em1 = twoK.fma(em1r, twoK.sub(1f));
        FloatVector q = FloatVector.broadcast(F, 1f).div(e.add(1f));
        FloatVector t = FloatVector.zero(F).sub(em1).mul(q);   // 0 - em1, not -em1: tanh 0 = +0
        t = t.blend(t.neg(), z.compare(VectorOperators.LT, 0f));
        t.mul(TANH_A).intoArray(y, i);
        e.mul(q).mul(q).mul(TANH_4AS).intoArray(deriv, i);
    }

    /** The same for the single element i, by the same operations in the same order. */
    private static void scaledTanh(float[] x, float[] y, float[] deriv, int i) {
        float z = x[i] * TANH_S;
        float a = Math.max(Math.abs(z) * -2f, -87f);
        float kr = a * LOG2E + ROUND, k = kr - ROUND;
        float r = Math.fma(k, -LN2_HI, a);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        float em1r = Math.fma(r * r, p, r);
        float twoK = Float.intBitsToFloat((Float.floatToRawIntBits(kr) + 127) << 23);
        float e = Math.fma(twoK, em1r, twoK), em1 = Math.fma(twoK, em1r, twoK - 1f);
        float q = 1f / (e + 1f);
        float t = (0f - em1) * q;
        if (z < 0f) t = -t;
        y[i] = t * TANH_A;
        deriv[i] = e * q * q * TANH_4AS;
    }

    // ---------------------------------------------------------------- pooling 2x2 stride 2

    // Forward, vectors over a window row pair: L input columns (L/2 windows) at a time. A window's 4 values are lanes 2j
    // and 2j+1 of the two rows, read as the rows and the rows shifted by one, so the window of output j sits in
    // lane 2j; EVEN moves it to lane j. Stores are whole vectors in increasing address order: what lands past a
    // row (windows that do not exist) is overwritten by the next row's store, or falls in PAD.
    private static final jdk.incubator.vector.VectorShuffle<Float> EVEN =
            jdk.incubator.vector.VectorShuffle.fromOp(F, i -> (2 * i) % L);

    /**
     * x: planes (c, n) of inPlane floats each (channel-major), rows of stride xs, with ph*2 x pw*2 valid ->
     * y (n, c, ph, pw) NCHW. MAX also writes argmax (n, c, ph, pw): which of the window's 4 positions in row-major
     * order won (0 to 3, as floats), the first of equal maxima as in the reference (only a strictly greater
     * value replaces the one before it, NaN never).
     */
    static void poolForward(Pooling kind, float[] x, int c, int n, int inPlane, int xs, int ph, int pw,
                            float[] y, float[] argmax) {
        poolForward(kind, false, x, c, n, inPlane, xs, ph, pw, y, argmax);
    }

    /**
     * With reluOfMax (max pooling only), x holds pre-activations and y = ReLU(window max): the same as max pooling
     * ReLU's outputs (ReLU is monotonic), without writing them. argmax then names the largest pre-activation, the
     * same window position as over the ReLU outputs wherever the max is positive; where it is not, ReLU passes
     * no gradient back (see maxPoolReluBackward), so the position does not matter.
     */
    static void poolForward(Pooling kind, boolean reluOfMax, float[] x, int c, int n, int inPlane, int xs, int ph,
                            int pw, float[] y, float[] argmax) {
        boolean max = kind == Pooling.MAX;
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f), two = FloatVector.broadcast(F, 2f),
                three = FloatVector.broadcast(F, 3f);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                int in = (ch * n + b) * inPlane, out = (b * c + ch) * ph * pw;
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j += L / 2) {
                        int top = in + 2 * i * xs + 2 * j, o = out + i * pw + j;
                        FloatVector v0 = FloatVector.fromArray(F, x, top), v1 = FloatVector.fromArray(F, x, top + 1);
                        FloatVector v2 = FloatVector.fromArray(F, x, top + xs), v3 = FloatVector.fromArray(F, x, top + xs + 1);
                        if (max) {
                            var g01 = v1.compare(VectorOperators.GT, v0);
                            var g23 = v3.compare(VectorOperators.GT, v2);
                            FloatVector m01 = v0.blend(v1, g01), m23 = v2.blend(v3, g23);
                            var g = m23.compare(VectorOperators.GT, m01);
                            FloatVector m = m01.blend(m23, g);
                            if (reluOfMax) m = zero.blend(m, m.compare(VectorOperators.GT, 0f));   // x > 0 ? x : 0
                            m.rearrange(EVEN).intoArray(y, o);
                            zero.blend(one, g01).blend(two.blend(three, g23), g).rearrange(EVEN).intoArray(argmax, o);
                        } else {
                            v0.add(v1).add(v2).add(v3).mul(0.25f).rearrange(EVEN).intoArray(y, o);
                        }
                    }
            }
    }

    /**
     * The pooling and the activation before it, backward in one pass: dy (n, c, ph, pw) -> dx planes (c, n) of
     * inPlane = the gradient at the activation's input, f'(x) times what the window passes back (overwritten:
     * zero wherever no window reads). Only window positions of act and deriv (see activationForward) are read.
     * Scalar: a vector version (per input lane: the window's gradient spread by a lane shuffle, masked by the
     * argmax) measured slower, 34-39 against 30 us per chunk of 16 flux images for the first pooling.
     */
    static void poolActivationBackward(Pooling kind, Activation a, float[] act, float[] deriv, float[] dy, float[] argmax,
                                       int c, int n, int inPlane, int xs, int ph, int pw, float[] dx) {
        Arrays.fill(dx, 0, c * n * inPlane, 0f);
        boolean relu = a == Activation.RELU;
        for (int ch = 0; ch < c; ch++)
            for (int b = 0; b < n; b++) {
                int in = (ch * n + b) * inPlane, out = (b * c + ch) * ph * pw;
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++) {
                        int base = in + 2 * i * xs + 2 * j, o = out + i * pw + j;
                        float d = dy[o];
                        if (kind == Pooling.MAX) {
                            int k = (int) argmax[o], at = base + (k >> 1) * xs + (k & 1);
                            dx[at] = relu ? (act[at] > 0 ? d : 0f) : d * deriv[at];
                        } else {
                            float q = d * 0.25f;
                            int b1 = base + 1, b2 = base + xs, b3 = base + xs + 1;
                            if (relu) {
                                dx[base] = act[base] > 0 ? q : 0f; dx[b1] = act[b1] > 0 ? q : 0f;
                                dx[b2] = act[b2] > 0 ? q : 0f; dx[b3] = act[b3] > 0 ? q : 0f;
                            } else {
                                dx[base] = q * deriv[base]; dx[b1] = q * deriv[b1];
                                dx[b2] = q * deriv[b2]; dx[b3] = q * deriv[b3];
                            }
                        }
                    }
            }
    }

    /**
     * Backward of ReLU then max pooling, fused as in poolForward with reluOfMax: dy (n, c, ph, pw) -> dx planes
     * (c, n) of inPlane (overwritten, zero wherever no window reads): the window's winner gets dy where the
     * pooled output (= ReLU of the winner) is positive, ReLU'(0) = 0 included.
     */
    static void maxPoolReluBackward(float[] pooled, float[] dy, float[] argmax, int c, int n, int inPlane, int xs,
                                    int ph, int pw, float[] dx) {
        Arrays.fill(dx, 0, c * n * inPlane, 0f);
        for (int ch = 0; ch < c; ch++)
            for (int b = 0; b < n; b++) {
                int in = (ch * n + b) * inPlane, out = (b * c + ch) * ph * pw;
                for (int i = 0; i < ph; i++)
                    for (int j = 0; j < pw; j++) {
                        int o = out + i * pw + j, k = (int) argmax[o];
                        if (pooled[o] > 0) dx[in + (2 * i + (k >> 1)) * xs + 2 * j + (k & 1)] = dy[o];
                    }
            }
    }

    // ---------------------------------------------------------------- dense

    /**
     * x (n, in), weight^T (in, out) (the backend's transposed copy), bias (out) at bo in p -> y (n, out).
     * panel: scratch from Gemm.panelScratch for an inner dimension of in.
     */
    static void denseForward(float[] x, int n, int in, float[] weightT, float[] p, int bo, int out, float[] y,
                             float[] panel) {
        Gemm.multiply(x, 0, in, 1, weightT, 0, out, y, 0, out, n, in, out, Gemm.Init.COLUMN_BIAS, p, bo, panel);
    }

    /**
     * The per-chunk half of a dense layer's backward: dy (n, out) -> dBias (out) = column sums at gbo in g, and
     * dx (n, in) = dy · weight (weight (out, in) at wo in p). The weight gradient is a batch-level product, see
     * {@link #denseWeightGradient}. panel: scratch from Gemm.panelScratch for an inner dimension of out.
     */
    static void denseBackward(int n, int in, float[] p, int wo, int out, float[] dy, float[] g, int gbo, float[] dx,
                              float[] panel) {
        System.arraycopy(dy, 0, g, gbo, out);
        for (int b = 1; b < n; b++)
            for (int o = 0; o < out; o++) g[gbo + o] += dy[b * out + o];
        Gemm.multiply(dy, 0, out, 1, p, wo, in, dx, 0, in, n, out, in, Gemm.Init.ZERO, null, 0, panel);
    }

    /**
     * Rows [r0, r1) of a dense layer's weight gradient (out, in) at gwo in g = dy^T x over the whole batch, whose
     * images lie in parts (chunks): part q holds counts[q] images, their x (n, in) in x[q] and dy (n, out) in dy[q].
     * Rows are independent (any split of them between threads gives the same values); a row's last vector may
     * rewrite the floats up to one vector past it with their own values, so the caller owns them too.
     */
    static void denseWeightGradient(float[][] x, float[][] dy, int[] counts, int parts, int in, int out,
                                    float[] g, int gwo, int r0, int r1) {
        denseWeightGradient(x, dy, counts, 0, parts, in, out, g, gwo, r0, r1);
    }

    /**
     * As above for the parts [q0, q1) only, adding to what g holds when q0 > 0: the parts can be added in several
     * calls, in order, with the same result to the bit as one call (see Gemm.multiplyTransposedParts).
     */
    static void denseWeightGradient(float[][] x, float[][] dy, int[] counts, int q0, int q1, int in, int out,
                                    float[] g, int gwo, int r0, int r1) {
        Gemm.multiplyTransposedParts(dy, out, x, in, counts, q0, q1, g, gwo, in, r0, r1, in);
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    /**
     * logits (n, 10) -> probabilities (n, 10); returns the summed loss -log p[label], computed in double from the
     * float logits. If dlogits is not null it receives the gradient of the batch's MEAN loss, (p - onehot) / batch.
     *
     * @param labels the label of each of the n images
     */
    static double softmaxCrossEntropy(float[] logits, int n, int[] labels, float[] probabilities,
                                      float[] dlogits, int batch) {
        double total = 0;
        for (int b = 0; b < n; b++) {
            int row = b * CLASSES;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < CLASSES; k++) max = Math.max(max, logits[row + k]);
            double sum = 0;
            for (int k = 0; k < CLASSES; k++) sum += Math.exp(logits[row + k] - max);
            double logSum = Math.log(sum) + max;
            int label = labels[b];
            total += logSum - logits[row + label];
            for (int k = 0; k < CLASSES; k++) {
                double pk = Math.exp(logits[row + k] - logSum);
                probabilities[row + k] = (float) pk;
                if (dlogits != null) dlogits[row + k] = (float) ((pk - (k == label ? 1 : 0)) / batch);
            }
        }
        return total;
    }

    /** Index of the largest logit of image b (ties: the lower class). */
    static int argmax(float[] logits, int b) {
        int row = b * CLASSES, best = 0;
        for (int k = 1; k < CLASSES; k++) if (logits[row + k] > logits[row + best]) best = k;
        return best;
    }
}
