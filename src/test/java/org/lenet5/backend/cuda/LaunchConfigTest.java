package org.lenet5.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

class LaunchConfigTest {

    @Test
    void oneBlockCoversUpToABlockOfElements() {
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.forElements(1));
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.forElements(256));
        assertEquals(new LaunchConfig(2, 256), LaunchConfig.forElements(257));
    }

    @Test
    void gridIsCappedForHugeProblemsAndTheGridStrideLoopTakesTheRest() {
        LaunchConfig c = LaunchConfig.forElements(60_000L * 784);   // a whole MNIST training set of pixels
        assertEquals(LaunchConfig.MAX_GRID, c.grid());
        assertEquals(256, c.block());
    }

    /** Emulates the kernels' loop "for (e = blockIdx*blockDim + threadIdx; e < n; e += gridDim*blockDim)". */
    @ParameterizedTest
    @ValueSource(longs = {1, 10, 255, 256, 257, 4096, 100_003, 20_000_000})
    void gridStrideLoopVisitsEveryElementExactlyOnce(long n) {
        LaunchConfig c = LaunchConfig.forElements(n);
        long threads = c.threads();
        // Thread t visits t, t + threads, ...: element e is visited by thread e % threads only.
        // So every element is visited once iff no thread index repeats, i.e. iterations cover [0, n).
        long iterations = (n + threads - 1) / threads;
        assertTrue(iterations * threads >= n, "the loop reaches the last element");
        if (n <= 1_000_000) {
            int[] visits = new int[(int) n];
            for (long t = 0; t < threads; t++)
                for (long e = t; e < n; e += threads) visits[(int) e]++;
            for (int e = 0; e < n; e++) assertEquals(1, visits[e], "element " + e);
        }
    }

    @Test
    void totalsRunAsOneBlockOfTheKernelsFixedWidth() {
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.totals());
    }

    @Test
    void emptyOrInvalidLaunchesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.forElements(0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 2048));
    }
}
