package org.lenet5.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * What a hand-off between two threads costs when the waiter has parked and when it spins: two threads take turns
 * 20,000 times, each waiting for its turn either in LockSupport.park (woken by the other's unpark) or spinning on
 * a volatile field; prints the round trip of each and the cost of one Thread.onSpinWait. On the 2-vCPU build VMs:
 * parked 38-46 us, spinning 0.1-3 us, onSpinWait about 25 ns; the cpu backend's WorkerPool waits are sized from
 * these. A timing loop for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java -cp target/test-classes org.lenet5.bench.ParkLatency [rounds]   (default 3)
 * </pre>
 */
public final class ParkLatency {

    private static final int TURNS = 20_000;
    private static volatile int turn;   // 1: the partner's turn, 0: the main thread's

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        for (int r = 0; r < rounds; r++) {
            double parked = roundTrip(true), spinning = roundTrip(false);
            long t0 = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) Thread.onSpinWait();
            double spinWait = (System.nanoTime() - t0) / 1e6;
            System.out.printf(java.util.Locale.ROOT, "round trip: parked %.1f us, spinning %.2f us; Thread.onSpinWait %.1f ns%n",
                    parked, spinning, spinWait);
        }
    }

    /** Microseconds per round trip, each side waiting parked (park) or spinning. */
    private static double roundTrip(boolean park) throws InterruptedException {
        Thread main = Thread.currentThread();
        turn = 0;
        Thread partner = new Thread(() -> {
            for (int i = 0; i < TURNS; i++) {
                while (turn != 1) pause(park);
                turn = 0;
                if (park) LockSupport.unpark(main);
            }
        }, "partner");
        partner.start();
        Thread.sleep(50);   // the partner is waiting (parked, if park) before the first turn
        long t0 = System.nanoTime();
        for (int i = 0; i < TURNS; i++) {
            turn = 1;
            if (park) LockSupport.unpark(partner);
            while (turn != 0) pause(park);
        }
        double us = (System.nanoTime() - t0) / 1e3 / TURNS;
        partner.join();
        return us;
    }

    private static void pause(boolean park) {
        if (park) LockSupport.park();
        else Thread.onSpinWait();
    }
}
