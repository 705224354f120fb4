package org.lenet5.backend.cpu;

import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Gemm.multiplyTransposedParts over a batch split in parts: adding the parts in several calls, in order, gives the
 * same floats as one call (what lets the cpu backend add finished chunks into the gradient early).
 */
class GemmPartsTest {

    private static float[] random(SeededRandom rng, int n) {
        float[] a = new float[n + Gemm.PAD];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void partsAddedInSeveralCallsGiveTheSameFloatsAsOneCall() {
        SeededRandom rng = new SeededRandom(5);
        int[] counts = {16, 16, 16, 7};          // a batch of 55 in 4 parts, the last one partial
        int parts = counts.length;
        // R x P blocks with whole vectors, a partial last vector and an odd number of rows (the last row repeated)
        for (int[] rp : new int[][]{{120, 256}, {84, 120}, {10, 84}, {7, 3}}) {
            int rows = rp[0], cols = rp[1];
            float[][] a = new float[parts][], b = new float[parts][];
            for (int q = 0; q < parts; q++) {
                a[q] = random(rng, counts[q] * rows);
                b[q] = random(rng, counts[q] * cols);
            }
            float[] whole = new float[rows * cols + Gemm.PAD];
            Gemm.multiplyTransposedParts(a, rows, b, cols, counts, parts, whole, 0, cols, 0, rows, cols);
            for (int split = 1; split < parts; split++) {
                float[] inTwo = new float[rows * cols + Gemm.PAD];
                java.util.Arrays.fill(inTwo, Float.NaN);   // the first call must not read what C held before
                Gemm.multiplyTransposedParts(a, rows, b, cols, counts, 0, split, inTwo, 0, cols, 0, rows, cols);
                Gemm.multiplyTransposedParts(a, rows, b, cols, counts, split, parts, inTwo, 0, cols, 0, rows, cols);
                assertArrayEquals(java.util.Arrays.copyOf(whole, rows * cols), java.util.Arrays.copyOf(inTwo, rows * cols),
                        rows + "x" + cols + ", parts split at " + split);
            }
            float[] oneByOne = new float[rows * cols + Gemm.PAD];
            for (int q = 0; q < parts; q++)
                Gemm.multiplyTransposedParts(a, rows, b, cols, counts, q, q + 1, oneByOne, 0, cols, 0, rows, cols);
            assertArrayEquals(java.util.Arrays.copyOf(whole, rows * cols), java.util.Arrays.copyOf(oneByOne, rows * cols),
                    rows + "x" + cols + ", one part per call");
            // and the split is not trivially equal: leaving out the last part changes the result
            float[] short3 = new float[rows * cols + Gemm.PAD];
            Gemm.multiplyTransposedParts(a, rows, b, cols, counts, 0, parts - 1, short3, 0, cols, 0, rows, cols);
            assertNotEquals(whole[0], short3[0]);
        }
    }
}
