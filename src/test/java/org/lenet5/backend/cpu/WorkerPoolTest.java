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

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2, "test");
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.run(m -> {}));
    }
}
