package org.lenet5.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class WorkerPoolTest {

    @Test
    void everyMemberRunsEachTaskOnceAndTheCallerIsMemberZero() {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            AtomicIntegerArray runs = new AtomicIntegerArray(3);
            Thread[] who = new Thread[3];
            for (int task = 0; task < 1000; task++)
                pool.run(m -> {
                    runs.incrementAndGet(m);
                    who[m] = Thread.currentThread();
                });
            for (int m = 0; m < 3; m++) assertEquals(1000, runs.get(m), "runs of member " + m);
            assertSame(Thread.currentThread(), who[0]);
            assertNotSame(who[1], who[2]);
        }
    }

    @Test
    void aFailingMemberIsRethrownToTheCallerAndThePoolKeepsWorking() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(m -> {
                if (m == 1) throw new IllegalStateException("member 1 failed");
            }));
            assertEquals("member 1 failed", e.getMessage());
            int[] seen = new int[2];
            pool.run(m -> seen[m]++);
            assertArrayEquals(new int[]{1, 1}, seen);
        }
    }

    /**
     * Waiters spin, then yield, then park: a member that takes far longer than the spin (50 ms) is still waited
     * for, and workers parked between tasks (the caller pauses 20 ms) wake for the next one.
     */
    @Test
    void slowMembersAndPausesBetweenTasksOutlastTheSpinAndAreWaitedFor() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(3, "test-slow")) {
            AtomicIntegerArray runs = new AtomicIntegerArray(3);
            for (int task = 0; task < 4; task++) {
                int slow = task % 3;
                pool.run(m -> {
                    if (m == slow) sleep(50);
                    runs.incrementAndGet(m);
                });
                for (int m = 0; m < 3; m++) assertEquals(task + 1, runs.get(m), "task " + task + ", member " + m);
                Thread.sleep(20);
            }
        }
    }

    /** An idle pool does not keep its cores busy: its workers park soon after a task (the spin is under 1 ms). */
    @Test
    void idleWorkersPark() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(3, "test-idle")) {
            pool.run(m -> {});
            java.util.List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("test-idle-")).toList();
            assertEquals(2, workers.size());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (workers.stream().anyMatch(t -> t.getState() != Thread.State.WAITING) && System.nanoTime() < deadline)
                Thread.sleep(10);
            for (Thread t : workers) assertEquals(Thread.State.WAITING, t.getState(), t.getName() + " still running");
            int[] seen = new int[3];
            pool.run(m -> seen[m]++);
            assertArrayEquals(new int[]{1, 1, 1}, seen, "parked workers run the next task");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2, "test");
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.run(m -> {}));
    }
}
