package org.lenet5.backend.cpu;

import org.lenet5.bench.CoreToCoreLatency;
import org.lenet5.data.Dataset;
import org.lenet5.model.Initializer;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;

/**
 * Whether the 2-thread backend's batch-32 step is in the host's fast or slow mode, and what moving a cache line
 * between the two vCPUs costs at that moment: in one process, blocks of 200 steps of a 1-thread and a 2-thread cpu
 * backend (order alternating), each block followed by 0.1 s of a core-to-core round trip (two threads taking turns
 * writing one volatile field: CoreToCoreLatency.roundTripNs). On the Zen 4 build VM of 2026-12-04 the round trip was
 * 66-74 ns in some stretches and 310-405 ns in others, and the 2-thread step followed it (2 vs 1 threads 1.74-2.12x
 * against 1.24-1.53x; the update 53-58 us against 174-223 us) while the 1-thread step did not move
 * (docs/benchmarks.md, "Two threads against one"). A timing loop, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -XX:CompileCommandFile=src/main/jvm/compile-commands.txt \
 *      -cp target/classes:target/test-classes org.lenet5.backend.cpu.HostModeProbe DATA_DIR [blocks]   (default 60)
 * </pre>
 */
public final class HostModeProbe {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HostModeProbe DATA_DIR [blocks]");
            System.exit(2);
        }
        int batch = 32, blocks = args.length > 1 ? Integer.parseInt(args[1]) : 60, steps = 200;
        Dataset train = AlternatingBlocks.training(args[0]);
        CpuBackend[] b = {new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, batch, 1),    // 1 thread
                          new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, batch, 2)};   // 2 threads
        for (CpuBackend c : b) c.setParameters(Initializer.initialParameters(AlternatingBlocks.SPEC, 1));
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        int n = train.count();
        int[] order = new int[n];
        new SeededRandom(2).permutation(order, n);
        long[] step = new long[2];
        int[] from = new int[2];
        System.out.println("block  1-thread us/step  2-thread us/step (update)  2 vs 1  round trip ns");
        for (int k = 0; k < blocks; k++) {
            double[] us = new double[2], up = new double[2];
            for (int j = 0; j < 2; j++) {
                int i = (k % 2 == 0) ? j : 1 - j;
                long fb = 0, u = 0;
                for (int s = 0; s < steps; s++) {
                    if (from[i] + batch > n) from[i] = 0;
                    long t0 = System.nanoTime();
                    b[i].forwardBackward(train, order, from[i], batch);
                    long t1 = System.nanoTime();
                    b[i].update(adam, 1e-3f, ++step[i]);
                    u += System.nanoTime() - t1; fb += t1 - t0;
                    from[i] += batch;
                }
                us[i] = (fb + u) / 1e3 / steps; up[i] = u / 1e3 / steps;
            }
            double rt = CoreToCoreLatency.roundTripNs(100_000_000L);
            System.out.printf(java.util.Locale.ROOT, "%5d  %16.0f  %16.0f (%4.0f)  %6.2fx  %13.0f%n",
                    k, us[0], us[1], up[1], us[0] / us[1], rt);
        }
        for (CpuBackend c : b) c.close();
    }
}
