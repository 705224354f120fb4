package org.lenet5.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Linux only: elsewhere every reading is -1 by design, which the other test checks for. */
class ProcessStatusTest {

    /**
     * The peak never trails the current size; after a reset it is the size at the reset (plus the few pages the JVM
     * touches between the calls: 16 MiB of slack), whatever it was before.
     */
    @Test
    void peakResidentMemoryIsAtLeastTheCurrentAndTheResetBringsItToTheCurrent() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
        byte[][] touched = new byte[64][];
        for (int i = 0; i < touched.length; i++) touched[i] = new byte[1 << 20];   // 64 MiB more, every page written
        for (byte[] t : touched) java.util.Arrays.fill(t, (byte) 1);
        long rss = ProcessStatus.residentBytes(), peak = ProcessStatus.peakResidentBytes();
        assertTrue(rss > 64L << 20, "a JVM holding 64 MiB of arrays is larger than that: " + rss);
        assertTrue(peak >= rss, "peak " + peak + " below current " + rss);
        if (ProcessStatus.resetPeakResident()) {
            long after = ProcessStatus.peakResidentBytes(), now = ProcessStatus.residentBytes();
            assertTrue(after <= now + (16L << 20), "reset peak " + after + " far above the current " + now);
        }
        assertEquals(64, touched.length);
    }

    @Test
    void loadAverageHasThreeValuesOrIsUnknown() {
        double[] load = ProcessStatus.loadAverage();
        assertEquals(3, load.length);
        boolean linux = Files.isReadable(Path.of("/proc/loadavg"));
        for (double l : load) assertTrue(linux ? l >= 0 : l == -1, "load " + l);
    }
}
