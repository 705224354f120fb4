package org.lenet5.bench;

/**
 * How much time each core loses to pauses it does not see: one thread per core reads the clock in a tight loop
 * for a while and counts the gaps between two readings longer than 20 us (the host running something else, an
 * interrupt, a VM exit), by size. On the 2-vCPU build VMs each vCPU lost 0.9-3.1% of its time, mostly in gaps of
 * 20-100 us and a few of 1-5 ms; a 2-thread training step waits for the pauses of both. A timing loop for
 * docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java -cp target/test-classes org.lenet5.bench.PauseMeter [threads] [seconds]   (default 2 10)
 * </pre>
 */
public final class PauseMeter {

    private static final long[] EDGES_NS = {20_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000};

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long duration = (long) ((args.length > 1 ? Double.parseDouble(args[1]) : 10) * 1e9);
        long[][] results = new long[threads][];
        Thread[] team = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int me = i;
            team[i] = new Thread(() -> results[me] = measure(duration), "pause-meter-" + i);
            team[i].start();
        }
        for (Thread t : team) t.join();
        for (int i = 0; i < threads; i++) {
            long[] r = results[i];   // lost ns, max ns, then counts per size class
            System.out.printf(java.util.Locale.ROOT,
                    "thread %d: lost %.1f ms of %.0f s (%.2f%%), longest %.0f us; gaps 20-50 us: %d, 50-100 us: %d,"
                            + " 0.1-0.5 ms: %d, 0.5-1 ms: %d, 1-5 ms: %d, over 5 ms: %d%n",
                    i, r[0] / 1e6, duration / 1e9, 100.0 * r[0] / duration, r[1] / 1e3, r[2], r[3], r[4], r[5], r[6], r[7]);
        }
    }

    private static long[] measure(long duration) {
        long[] r = new long[2 + EDGES_NS.length];
        long start = System.nanoTime(), last = start;
        while (last - start < duration) {
            long now = System.nanoTime(), gap = now - last;
            if (gap > EDGES_NS[0]) {
                r[0] += gap;
                r[1] = Math.max(r[1], gap);
                int c = EDGES_NS.length - 1;
                while (gap <= EDGES_NS[c]) c--;
                r[2 + c]++;
            }
            last = now;
        }
        return r;
    }
}
