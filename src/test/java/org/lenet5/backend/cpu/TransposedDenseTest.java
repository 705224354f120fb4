package org.lenet5.backend.cpu;

import org.junit.jupiter.api.Test;
import org.lenet5.model.ParamTensor;
import org.lenet5.util.SeededRandom;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transposed dense weights in blocks (one per member of the update's team): each block holds the transpose of
 * its rows of the weight, no two members' blocks share a cache line wherever the array starts (no two floats of
 * different blocks lie fewer than 16 floats apart), and the forward product gives the same floats as from one
 * contiguous transposed matrix.
 */
class TransposedDenseTest {

    private static final int IN = 256, OUT = 120, OFFSET = 2572;   // flux fc1: (120, 256) after conv1 and conv2
    private static final ParamTensor FC1 = new ParamTensor("fc1.weight", new int[]{OUT, IN}, OFFSET, IN, OUT);

    /** Update ranges of the flat parameters that cut the weight after these rows (0 or OUT: outside it). */
    private static int[] cuts(int... rowsAfter) {
        int[] c = new int[rowsAfter.length + 2];
        c[c.length - 1] = OFFSET + IN * OUT + 10_000;
        for (int t = 0; t < rowsAfter.length; t++) c[t + 1] = OFFSET + rowsAfter[t] * IN;
        return c;
    }

    private static float[] params(SeededRandom rng) {
        float[] p = new float[OFFSET + IN * OUT + 10_000 + Gemm.PAD];
        for (int i = 0; i < p.length; i++) p[i] = (float) (rng.nextDouble() * 2 - 1);
        return p;
    }

    private static final int[][] TEAMS = {{}, {80}, {77}, {0}, {OUT}, {32, 96}, {16, 16, 100}};

    @Test
    void everyBlockHoldsTheTransposeOfItsRows() {
        float[] p = params(new SeededRandom(5));
        for (int[] team : TEAMS) {
            TransposedDense t = new TransposedDense(FC1, cuts(team));
            t.refreshAll(p);
            for (int k = 0; k < IN; k++)
                for (int o = 0; o < OUT; o++)
                    assertEquals(p[OFFSET + o * IN + k], t.get(k, o), "team cut after " + java.util.Arrays.toString(team) + ": W[" + o + "][" + k + "]");
        }
    }

    @Test
    void noCacheLineHoldsTwoMembersFloats() {
        float[] p = params(new SeededRandom(6));
        for (int[] team : TEAMS) {
            int[] cuts = cuts(team);
            if (cuts.length == 2) continue;   // one member: nothing to keep apart
            TransposedDense t = new TransposedDense(FC1, cuts);
            // what each member writes: refresh one block at a time into a copy marked with NaN
            List<int[]> written = new ArrayList<>();
            for (int m = 0; m + 1 < cuts.length; m++) {
                java.util.Arrays.fill(t.data, Float.NaN);
                t.refresh(p, m);
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < t.data.length; i++) if (!Float.isNaN(t.data[i])) idx.add(i);
                written.add(idx.stream().mapToInt(Integer::intValue).toArray());
            }
            int total = 0;
            for (int[] w : written) total += w.length;
            assertEquals(IN * OUT, total, "the blocks together hold the whole weight once");
            int[] owner = new int[t.data.length];
            java.util.Arrays.fill(owner, -1);
            for (int m = 0; m < written.size(); m++) for (int i : written.get(m)) owner[i] = m;
            int nearest = Integer.MAX_VALUE;
            for (int i = 0, last = -1; i < owner.length; i++) {
                if (owner[i] < 0) continue;
                if (last >= 0 && owner[last] != owner[i]) nearest = Math.min(nearest, i - last);
                last = i;
            }
            assertTrue(nearest >= 16, "cut after " + java.util.Arrays.toString(team) + ": floats of two members "
                    + nearest + " apart, so they can share a 64-byte line");
        }
    }

    @Test
    void forwardGivesTheContiguousTransposesFloats() {
        SeededRandom rng = new SeededRandom(7);
        float[] p = params(rng);
        int n = 16, bo = OFFSET + IN * OUT;   // the bias right after the weight, as in the layout
        float[] x = new float[n * IN + Gemm.PAD];
        for (int i = 0; i < n * IN; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        float[] plainT = ChunkActivations.buffer(IN * OUT);
        for (int k = 0; k < IN; k++) for (int o = 0; o < OUT; o++) plainT[k * OUT + o] = p[OFFSET + o * IN + k];
        float[] expected = new float[n * OUT + Gemm.PAD];
        CpuLayers.denseForward(x, n, IN, plainT, p, bo, OUT, expected, Gemm.panelScratch(IN));
        for (int[] team : TEAMS) {
            TransposedDense t = new TransposedDense(FC1, cuts(team));
            t.refreshAll(p);
            float[] y = new float[n * OUT + Gemm.PAD];
            t.forward(x, n, p, bo, y, Gemm.panelScratch(IN));
            assertArrayEquals(java.util.Arrays.copyOf(expected, n * OUT), java.util.Arrays.copyOf(y, n * OUT),
                    "cut after " + java.util.Arrays.toString(team));
        }
    }

    @Test
    void aCutInsideARowIsRefused() {
        int[] cuts = {0, OFFSET + 5 * IN + 3, OFFSET + IN * OUT + 10_000};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransposedDense(FC1, cuts));
        assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
    }
}
