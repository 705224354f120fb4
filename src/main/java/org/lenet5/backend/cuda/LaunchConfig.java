package org.lenet5.backend.cuda;

/**
 * Grid and block sizes for our kernels (all one-dimensional). Every elementwise kernel in native-kernels/
 * uses a grid-stride loop, so the grid can be capped: a larger problem only means more iterations per thread.
 *
 * @param grid  blocks (gridDim.x)
 * @param block threads per block (blockDim.x)
 */
public record LaunchConfig(int grid, int block) {

    /** Threads per block for elementwise kernels: a multiple of the warp size that fills any SM. */
    public static final int BLOCK = 256;
    /** At most this many blocks; with BLOCK threads that is 16.7M threads, far above any LeNet buffer. */
    public static final int MAX_GRID = 65_536;
    /** batch_totals in softmax_loss.cu runs as exactly one block of this many threads (its TOTALS_THREADS). */
    public static final int TOTALS_THREADS = 256;

    public LaunchConfig {
        if (grid < 1 || block < 1 || block > 1024)
            throw new IllegalArgumentException("launch of " + grid + " blocks of " + block + " threads");
    }

    /** One thread per element for n elements (n >= 1). */
    public static LaunchConfig forElements(long n) {
        if (n < 1) throw new IllegalArgumentException("no elements to launch over: " + n);
        long blocks = (n + BLOCK - 1) / BLOCK;
        return new LaunchConfig((int) Math.min(blocks, MAX_GRID), BLOCK);
    }

    /** The single block that batch_totals needs. */
    public static LaunchConfig totals() {
        return new LaunchConfig(1, TOTALS_THREADS);
    }

    /** Threads in the whole grid. */
    public long threads() { return (long) grid * block; }
}
