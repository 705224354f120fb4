package org.lenet5.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux tells about this process and the machine's load: peak resident memory (VmHWM in /proc/self/status),
 * its reset (writing 5 to /proc/self/clear_refs), and the load average. Elsewhere every reading is -1 (unknown).
 */
public final class ProcessStatus {

    private static final Path STATUS = Path.of("/proc/self/status"), CLEAR_REFS = Path.of("/proc/self/clear_refs"),
            LOADAVG = Path.of("/proc/loadavg");

    private ProcessStatus() {}

    /** Peak resident set size in bytes since the process started or the last {@link #resetPeakResident}; -1 if unknown. */
    public static long peakResidentBytes() { return statusBytes("VmHWM:"); }

    /** Current resident set size in bytes; -1 if unknown. */
    public static long residentBytes() { return statusBytes("VmRSS:"); }

    /**
     * Sets the peak to the current resident size, so the next reading covers only what follows.
     * @return false if the kernel does not allow it (the peak then covers the whole process)
     */
    public static boolean resetPeakResident() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The 1-, 5- and 15-minute load averages; {-1, -1, -1} if unknown. */
    public static double[] loadAverage() {
        try {
            String[] f = Files.readString(LOADAVG).trim().split("\\s+");
            return new double[]{Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[]{-1, -1, -1};
        }
    }

    /** A "Key:   1234 kB" line of /proc/self/status in bytes; -1 if absent. */
    private static long statusBytes(String key) {
        try {
            for (String line : Files.readAllLines(STATUS))
                if (line.startsWith(key)) {
                    String v = line.substring(key.length()).trim();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }
}
