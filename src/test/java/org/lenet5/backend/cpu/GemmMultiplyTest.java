package org.lenet5.backend.cpu;

import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Gemm.multiply against the plain loop it stands for: every element of C is its start value (zero, a row bias or a
 * column bias), then one fused multiply-add per k in increasing k. So the kernel must give the same floats, to the
 * bit, whatever block an element falls in (4x3 blocks, from a packed panel of B or from B itself, the 4x2 block, a
 * masked last vector, a repeated last row), and must leave C's other elements alone.
 */
class GemmMultiplyTest {

    private static final int L = Gemm.L;

    private static float[] random(SeededRandom rng, int n) {
        float[] a = new float[n + Gemm.PAD];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    /** C (rows, cols) with row stride ldc at cOff, as the plain loop computes it. */
    private static void plain(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int ldb, float[] c, int cOff,
                              int ldc, int rows, int inner, int cols, Gemm.Init init, float[] bias, int biasOff) {
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < cols; p++) {
                float s = switch (init) {
                    case ZERO -> 0f;
                    case ROW_BIAS -> bias[biasOff + r];
                    case COLUMN_BIAS -> bias[biasOff + p];
                };
                for (int k = 0; k < inner; k++) s = Math.fma(a[aOff + r * aRs + k * aCs], b[bOff + k * ldb + p], s);
                c[cOff + r * ldc + p] = s;
            }
    }

    @Test
    void everyBlockShapeGivesThePlainLoopsFloats() {
        SeededRandom rng = new SeededRandom(11);
        // rows: one block of 4 or fewer (B read in place) and several (B's panels packed), an odd count (last row
        // repeated); cols: whole 3-vector panels, a 2-vector block, a partial last vector, fewer than one vector
        int[] rowCounts = {1, 3, 4, 5, 16, 150};
        int[] colCounts = {3, L, 2 * L, 3 * L, 3 * L + 5, 5 * L, 6 * L + 1, 1024 / 8 + 3};
        int checked = 0;
        for (int rows : rowCounts)
            for (int cols : colCounts)
                for (Gemm.Init init : Gemm.Init.values()) {
                    int inner = 1 + (rows * 7 + cols) % 40;
                    boolean transposedA = (rows + cols) % 2 == 0;   // A read as a transposed view, as conv2's input gradient does
                    int aRs = transposedA ? 1 : inner + 2, aCs = transposedA ? rows + 3 : 1;
                    int ldb = cols + 7, ldc = cols + 5, cOff = 3, aOff = 2, bOff = 1, biasOff = 4;
                    float[] a = random(rng, aOff + rows * inner * 3 + inner * (rows + 3));
                    float[] b = random(rng, bOff + inner * ldb);
                    float[] bias = random(rng, biasOff + Math.max(rows, cols));
                    float[] c = random(rng, cOff + rows * ldc), expected = c.clone(), unpacked = c.clone();
                    plain(a, aOff, aRs, aCs, b, bOff, ldb, expected, cOff, ldc, rows, inner, cols, init, bias, biasOff);
                    Gemm.multiply(a, aOff, aRs, aCs, b, bOff, ldb, c, cOff, ldc, rows, inner, cols, init, bias, biasOff,
                            Gemm.panelScratch(inner));
                    // a panel too small for this K: B is read in place
                    Gemm.multiply(a, aOff, aRs, aCs, b, bOff, ldb, unpacked, cOff, ldc, rows, inner, cols, init, bias,
                            biasOff, Gemm.panelScratch(inner - 1));
                    for (int i = 0; i < cOff + rows * ldc; i++) {
                        String what = rows + "x" + inner + " . " + inner + "x" + cols + " " + init + ": element " + i;
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(c[i]), what);
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(unpacked[i]),
                                what + " (B in place)");
                    }
                    checked++;
                }
        assertEquals(rowCounts.length * colCounts.length * 3, checked);
    }

    @Test
    void thePlainLoopIsNotTheSumInAnotherOrder() {
        // guards the test above: had the kernel summed k in another order, some of these floats would differ
        SeededRandom rng = new SeededRandom(12);
        int inner = 300;
        float[] a = random(rng, inner), b = random(rng, inner * L);
        float[] c = new float[L + Gemm.PAD], reversed = new float[L];
        Gemm.multiply(a, 0, inner, 1, b, 0, L, c, 0, L, 1, inner, L, Gemm.Init.ZERO, null, 0, Gemm.panelScratch(inner));
        for (int p = 0; p < L; p++) {
            float s = 0;
            for (int k = inner - 1; k >= 0; k--) s = Math.fma(a[k], b[k * L + p], s);
            reversed[p] = s;
        }
        assertNotEquals(Arrays.toString(Arrays.copyOf(c, L)), Arrays.toString(reversed));
    }
}
