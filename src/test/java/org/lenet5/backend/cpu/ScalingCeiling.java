package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.model.Initializer;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;

import java.util.Arrays;
import java.util.Locale;

/**
 * How close the cpu backend's 2-thread speed-up comes to what two vCPUs of this machine give: in one process, in
 * alternating blocks of the same number of training steps (the order rotated every block, so all four meet the same
 * host periods), four ways to train:
 * <pre>
 * lenet5 1 thread     one 1-thread backend
 * lenet5 2 threads    one 2-thread backend (chunks of the batch on both threads, two hand-offs per step)
 * pair, joined        two 1-thread backends, each on its own thread doing half of the steps, nothing shared but the
 *                     images, joined after every step (as a data-parallel step must be)
 * pair, free          the same, joined once per block: two independent trainings at once
 * </pre>
 * Also prints each backend's time per call in forwardBackward and in update (a pair's backends: over both ways).
 * Each pair's speed-up over the 1-thread backend is what the machine gives two copies of the same work: with two
 * dedicated cores it would be 2.00 (minus the cost of the joins); on the build VMs the vCPUs share the host's cores
 * with other work. The first quarter of the blocks is warm-up. A timing loop for docs/benchmarks.md, not a test.
 * Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -XX:CompileCommandFile=src/main/jvm/compile-commands.txt \
 *      -cp target/classes:target/test-classes org.lenet5.backend.cpu.ScalingCeiling DATA_DIR [batch] [blocks]
 *      (default 32 40)
 * </pre>
 */
public final class ScalingCeiling {

    private static final String[] NAMES = {"lenet5 1 thread", "lenet5 2 threads", "pair, joined", "pair, free"};
    private static final int[][] ORDERS = {{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 0, 3, 2}, {2, 3, 0, 1}};

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ScalingCeiling DATA_DIR [batch] [blocks]");
            System.exit(2);
        }
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int blocks = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int steps = 2 * Math.max(1, 3200 / batch), skip = blocks / 4;
        Dataset train = AlternatingBlocks.training(args[0]);
        // 0: 1 thread, 1: 2 threads, 2 and 3: the pair's two 1-thread backends
        CpuBackend[] backends = new CpuBackend[4];
        for (int b = 0; b < 4; b++)
            backends[b] = new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, batch, b == 1 ? 2 : 1);
        WorkerPool pair = new WorkerPool(2, "pair");
        try {
            for (CpuBackend b : backends) b.setParameters(Initializer.initialParameters(AlternatingBlocks.SPEC, 1));
            OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
            int n = train.count();
            int[] order = new int[n];
            new SeededRandom(2).permutation(order, n);
            long[] step = new long[4];
            int[] from = new int[4];
            int[] stepsPerTask = {1};
            boolean[] counting = {false};
            long[][] nanos = new long[4][2];   // per backend, while counting: in forwardBackward, in update
            StepRunner runStep = b -> {
                if (from[b] + batch > n) from[b] = 0;
                long t0 = System.nanoTime();
                backends[b].forwardBackward(train, order, from[b], batch);
                long t1 = System.nanoTime();
                backends[b].update(adam, 1e-3f, ++step[b]);
                if (counting[0]) {
                    nanos[b][0] += t1 - t0;
                    nanos[b][1] += System.nanoTime() - t1;
                }
                from[b] += batch;
            };
            WorkerPool.Task pairTask = m -> {
                for (int s = 0; s < stepsPerTask[0]; s++) runStep.run(2 + m);
            };
            double[][] us = new double[4][blocks];
            for (int k = 0; k < blocks; k++) {
                counting[0] = k >= skip;
                for (int c : ORDERS[k % ORDERS.length]) {
                    long t0 = System.nanoTime();
                    if (c < 2) {
                        for (int s = 0; s < steps; s++) runStep.run(c);
                    } else if (c == 2) {
                        stepsPerTask[0] = 1;
                        for (int s = 0; s < steps / 2; s++) pair.run(pairTask);
                    } else {
                        stepsPerTask[0] = steps / 2;
                        pair.run(pairTask);
                    }
                    us[c][k] = (System.nanoTime() - t0) / 1e3 / steps;   // per step of batch images, as the others
                }
            }
            double[] mean = new double[4];
            for (int c = 0; c < 4; c++) mean[c] = Arrays.stream(us[c], skip, blocks).average().orElseThrow();
            double calls = (blocks - skip) * (double) steps;   // per backend (each pair member half in each pair way)
            for (int c = 0; c < 4; c++)
                System.out.printf(Locale.ROOT, "%-17s %7.0f us per step of %d images: %.2fx the 1-thread backend%n",
                        NAMES[c], mean[c], batch, mean[0] / mean[c]);
            for (int b = 0; b < 4; b++)
                System.out.printf(Locale.ROOT, "  %-24s forwardBackward %5.0f us, update %4.0f us per call%n",
                        (b < 2 ? NAMES[b] : "pair's backend " + (b - 1)) + ":", nanos[b][0] / 1e3 / calls,
                        nanos[b][1] / 1e3 / calls);
            double[][] perBlock = new double[3][blocks - skip];
            for (int k = skip; k < blocks; k++)
                for (int c = 1; c < 4; c++) perBlock[c - 1][k - skip] = us[0][k] / us[c][k];
            System.out.printf(Locale.ROOT, "batch %d: lenet5 2 threads reach %.0f%% of the joined pair's speed-up and %.0f%%"
                            + " of the free pair's (per-block medians of the speed-ups: %.2fx, %.2fx, %.2fx; %d blocks"
                            + " of %d steps after %d of warm-up)%n",
                    batch, 100 * mean[2] / mean[1], 100 * mean[3] / mean[1], median(perBlock[0]), median(perBlock[1]),
                    median(perBlock[2]), blocks - skip, steps, skip);
        } finally {
            for (CpuBackend b : backends) b.close();
            pair.close();
        }
    }

    private interface StepRunner {
        void run(int backend);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
