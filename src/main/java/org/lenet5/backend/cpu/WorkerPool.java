package org.lenet5.backend.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that run one task at a time, each member with its own index; the calling thread is
 * member 0, so a team of 1 runs everything inline. The workers live as long as the backend (no executor per
 * step, nothing allocated per task): a thread waiting for a task, or for the others to finish one, spins for
 * about half a millisecond (yielding now and then) before it parks, since the next task or the other half of the
 * work usually follows within that, and a parked thread is slow to wake (see SPINS).
 *
 * <p>Not thread-safe: one caller at a time, as a backend is used.
 */
final class WorkerPool implements AutoCloseable {

    /** Work for every member; run(m) must touch only member m's share. */
    interface Task {
        void run(int member);
    }

    /**
     * How a thread waits: SPINS rounds of Thread.onSpinWait (about 25 ns each on the 2-core EPYC VMs, so about
     * 25 us; until log entry 25 this was the whole wait), then YIELDING_SPINS more with a Thread.yield every
     * YIELD_EVERY-th (about 0.4 ms or more), then it parks.
     * Waking a parked thread takes about 20 us on these VMs (a park/unpark round trip between two threads: 38-46 us;
     * spinning: 0.1-3 us), and the two halves of a batch-32 step often finish more than 25 us apart: with that spin
     * alone, waiters parked 0.3-0.96 times per task, about once per step on the critical path; with the longer wait,
     * under 0.02 times (docs/benchmarks.md, log entry 25). The yields hand the core to any other runnable thread, so
     * on a busy machine the awaited thread can still run (two threads pinned to one core ran faster than with the
     * old wait).
     */
    private static final int SPINS = 1 << 10, YIELDING_SPINS = 15 << 10, YIELD_EVERY = 64;

    private final int size;
    private final Thread[] workers;            // members 1 .. size-1
    private final Throwable[] failures;        // (size) what each member threw in the current task
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile Task task;
    private volatile int generation;           // bumped once per task; workers wait for a change
    private volatile boolean closed;
    private volatile Thread caller;

    WorkerPool(int size, String name) {
        if (size < 1) throw new IllegalArgumentException("a worker pool needs at least 1 thread, got " + size);
        this.size = size;
        this.failures = new Throwable[size];
        this.workers = new Thread[size - 1];
        for (int m = 1; m < size; m++) {
            int member = m;
            Thread t = new Thread(() -> work(member), name + "-" + m);
            t.setDaemon(true);
            workers[m - 1] = t;
            t.start();
        }
    }

    int size() { return size; }

    /** Runs task on every member (this thread as member 0) and returns when all are done; rethrows a failure. */
    void run(Task t) {
        if (closed) throw new IllegalStateException("worker pool is closed");
        if (size == 1) {
            t.run(0);
            return;
        }
        caller = Thread.currentThread();
        task = t;
        unfinished.set(size - 1);
        generation = generation + 1;    // volatile write: publishes task and everything the caller wrote before
        for (Thread w : workers) LockSupport.unpark(w);
        try {
            t.run(0);
        } catch (Throwable e) {
            failures[0] = e;
        }
        for (int round = 0; unfinished.get() != 0; ) round = await(round);
        task = null;
        rethrowFirstFailure();
    }

    /** One round of waiting (rounds count from 0): spin, spin or yield, or park; returns the next round's number. */
    private int await(int round) {
        if (round < SPINS) {
            Thread.onSpinWait();
        } else if (round < SPINS + YIELDING_SPINS) {
            if (round % YIELD_EVERY == 0) Thread.yield();
            else Thread.onSpinWait();
        } else {
            LockSupport.park(this);
            return round;
        }
        return round + 1;
    }

    private void rethrowFirstFailure() {
        Throwable first = null;
        for (int m = 0; m < size; m++) {
            if (first == null) first = failures[m];
            failures[m] = null;
        }
        if (first instanceof RuntimeException r) throw r;
        if (first instanceof Error e) throw e;
        if (first != null) throw new IllegalStateException(first);
    }

    private void work(int member) {
        int seen = 0;
        while (true) {
            int g;
            for (int round = 0; (g = generation) == seen; ) {
                if (closed) return;
                round = await(round);
            }
            seen = g;
            if (closed) return;
            try {
                task.run(member);
            } catch (Throwable e) {
                failures[member] = e;
            }
            if (unfinished.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
        for (Thread w : workers) {
            try {
                w.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
