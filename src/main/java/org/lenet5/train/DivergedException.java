package org.lenet5.train;

import org.lenet5.util.UserException;

/** The loss or a parameter became NaN or infinite. */
public final class DivergedException extends UserException {

    private final int epoch;
    private final long step;

    public DivergedException(int epoch, long step, float lr, int batchSize, String what) {
        super(String.format(java.util.Locale.ROOT, "diverged at epoch %d, step %d (lr=%s, batch-size=%d): %s",
                epoch, step, Float.toString(lr), batchSize, what));
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() { return epoch; }
    public long step() { return step; }
}
