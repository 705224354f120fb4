package org.lenet5.testing;

import org.lenet5.data.Dataset;
import org.lenet5.util.SeededRandom;

/** Small seeded datasets of random pixels and labels for tests that need no real digits. */
public final class RandomData {

    private RandomData() {}

    public static Dataset images(long seed, int count, int rows, int cols) {
        SeededRandom rng = new SeededRandom(seed);
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) rng.nextInt(256);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte) rng.nextInt(10);
        return new Dataset("random-" + seed, pixels, labels, count, rows, cols);
    }

    public static int[] identity(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }
}
