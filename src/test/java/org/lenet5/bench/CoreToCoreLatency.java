package org.lenet5.bench;

/**
 * How long one cache line takes to go from one core to another and back, sampled every half second: a timing loop
 * for docs/benchmarks.md, not a test. Two threads take turns writing one volatile field, so every turn moves its
 * cache line between their cores. On the 2-vCPU build VMs the round trip moves between about 30, 70 and 165 ns as
 * the host places the two vCPUs; the cpu backend's 2-thread step (which hands parameters and gradients between
 * the cores twice per step) slows with it. Run after {@code mvn test-compile}:
 * <pre>
 * java -cp target/test-classes org.lenet5.bench.CoreToCoreLatency [samples]   (default 20)
 * </pre>
 */
public final class CoreToCoreLatency {

    private static volatile long turn;   // even: the caller's turn to write, odd: the partner's
    private static volatile boolean stop;

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < samples; s++)
            line.append(String.format(java.util.Locale.ROOT, "%.0f ", roundTripNs(500_000_000L)));
        System.out.println("core-to-core round trip, ns, one sample per 0.5 s: " + line.toString().strip());
    }

    /**
     * The mean round trip of one cache line between the calling thread and a partner started for the purpose,
     * over about nanos: the two take turns writing one volatile field, so every turn moves its line between their
     * cores. The partner ends before this returns. Not thread-safe (one caller at a time).
     */
    public static double roundTripNs(long nanos) throws InterruptedException {
        turn = 0;
        stop = false;
        Thread partner = new Thread(() -> {
            for (long mine = 1; ; mine += 2) {
                while (turn != mine) {
                    if (stop) return;
                    Thread.onSpinWait();
                }
                turn = mine + 1;
            }
        }, "partner");
        partner.setDaemon(true);
        partner.start();
        long next = 0, trips = 0, start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            for (int k = 0; k < 1000; k++) {
                turn = next + 1;        // hand the line over ...
                next += 2;
                while (turn != next) Thread.onSpinWait();   // ... and wait until it comes back
            }
            trips += 1000;
        }
        double ns = (System.nanoTime() - start) / (double) trips;
        stop = true;
        partner.join();
        return ns;
    }
}
