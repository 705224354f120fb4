package org.lenet5.backend.cpu;

import org.lenet5.model.ParamTensor;

/**
 * A dense layer's weight (out, in) transposed to (in, out), so the forward product streams along the outputs; kept
 * in step with the flat parameters by the update, in blocks of columns: block t holds the weight's rows (the
 * layer's outputs) that lie in member t's update range, and only member t writes it, right after updating them.
 * With more than one block, blocks lie a cache line apart (GAP floats) and a row ends in one more GAP, so no cache
 * line of the copy holds two members' floats wherever Java puts the array. Until log entry 40 the copy was one
 * (in, out) matrix: on 2 threads each of its rows had a line that both cores wrote in every update, and a 2-thread
 * update took 123-164 us against 85 us for the whole update on 1 thread.
 * <pre>
 * data      (in, stride)    row k = input k; block t's columns at offsets[t] + [0, rows[t+1] - rows[t])
 * stride    out (one block), out + blocks * GAP (more)
 * </pre>
 */
final class TransposedDense {

    /** Floats between blocks: one 64-byte cache line. */
    static final int GAP = 16;

    private final int weightOffset, in, out, stride;
    /** (blocks + 1): block b holds the weight's rows [rows[b], rows[b + 1]). */
    private final int[] rows;
    /** (blocks): where block b's first column lies in a row of data. */
    private final int[] offsets;
    /** (in, stride) + PAD; package-private for the tests. */
    final float[] data;

    /**
     * @param weight the dense weight (out, in) in the flat parameters
     * @param cuts   (blocks + 1) the members' update ranges of the flat parameters, [cuts[t], cuts[t+1]); each cut
     *               inside the weight must fall between two of its rows
     */
    TransposedDense(ParamTensor weight, int[] cuts) {
        this.weightOffset = weight.offset();
        this.in = weight.fanIn();
        this.out = weight.size() / in;   // (out, in); shape() would allocate a copy
        int blocks = cuts.length - 1;
        this.rows = new int[blocks + 1];
        this.offsets = new int[blocks];
        for (int t = 0; t <= blocks; t++) {
            int at = Math.max(0, Math.min(weight.size(), cuts[t] - weightOffset));
            if (at % in != 0)
                throw new IllegalArgumentException("cut " + cuts[t] + " falls inside a row of " + weight.name());
            rows[t] = at / in;
        }
        this.stride = blocks == 1 ? out : out + blocks * GAP;
        for (int t = 0; t < blocks; t++) offsets[t] = rows[t] + (blocks == 1 ? 0 : t * GAP);
        this.data = ChunkActivations.buffer(in * stride);
    }

    /** Block t from the weight's current values in params (by the member that updates those rows). */
    void refresh(float[] params, int t) {
        int base = weightOffset, r = rows[t], end = rows[t + 1], shift = offsets[t] - rows[t];
        // four rows of the weight at a time: four read streams, four adjacent floats written per row of the copy
        // (eight at a time measured slower)
        for (; r + 4 <= end; r += 4) {
            int w0 = base + r * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
            for (int k = 0, at = r + shift; k < in; k++, at += stride) {
                data[at] = params[w0 + k];
                data[at + 1] = params[w1 + k];
                data[at + 2] = params[w2 + k];
                data[at + 3] = params[w3 + k];
            }
        }
        for (; r < end; r++)
            for (int k = 0, w0 = base + r * in, at = r + shift; k < in; k++, at += stride) data[at] = params[w0 + k];
    }

    /** Every block (after the parameters were set). */
    void refreshAll(float[] params) {
        for (int t = 0; t < offsets.length; t++) refresh(params, t);
    }

    /**
     * The layer's forward pass y (n, out) = x (n, in) · weight^T + bias (bias at bo in p), one product per block
     * (each output is the same fma chain over k whatever the blocks, so the same floats for any team size).
     */
    void forward(float[] x, int n, float[] p, int bo, float[] y, float[] panel) {
        for (int t = 0; t < offsets.length; t++) {
            int cols = rows[t + 1] - rows[t];
            if (cols > 0)
                CpuLayers.denseForward(x, n, in, data, offsets[t], stride, p, bo, out, y, rows[t], cols, panel);
        }
    }

    /** weight^T[k][o], for the tests. */
    float get(int k, int o) {
        int t = 0;
        while (o >= rows[t + 1]) t++;
        return data[k * stride + offsets[t] + o - rows[t]];
    }
}
