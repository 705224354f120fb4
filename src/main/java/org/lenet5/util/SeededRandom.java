package org.lenet5.util;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose whole state is one long, so it can be
 * written into a checkpoint and restored exactly. Same seed, same sequence, on every JVM.
 */
public final class SeededRandom {

    private long state;

    public SeededRandom(long seed) { this.state = seed; }

    /** A generator for a named purpose ("init", "shuffle" with epoch e, ...), independent of the others. */
    public static SeededRandom derive(long seed, long purpose, long index) {
        SeededRandom r = new SeededRandom(seed ^ mix(purpose * 0x9E3779B97F4A7C15L + index));
        r.nextLong();
        return r;
    }

    public long state() { return state; }
    public void setState(long s) { state = s; }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, bound), without modulo bias (Lemire's method with rejection). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive");
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal by Box-Muller (no cached second value, so the state stays one long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of 0..n-1 into perm. */
    public void permutation(int[] perm, int n) {
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
    }
}
