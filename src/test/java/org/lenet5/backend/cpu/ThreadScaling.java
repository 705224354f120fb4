package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.MnistLoader;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How much faster N threads train than 1 when both meet the same machine: a 1-thread and an N-thread cpu backend
 * in one process, trained in alternating blocks of steps (the order swapped every block), so the host's slow and
 * fast periods, which on the 2-vCPU build VMs last seconds to minutes, hit both alike. Fresh-process pairs (bench/
 * compare-pytorch.sh) see whatever period each process ran in. The first quarter of the blocks is the JIT's
 * warm-up and is not counted. A timing loop for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp target/classes:target/test-classes \
 *      org.lenet5.backend.cpu.ThreadScaling DATA_DIR [batch] [threads] [blocks] [images per block]
 *      (default 32 2 40 6400)
 * </pre>
 */
public final class ThreadScaling {

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ThreadScaling DATA_DIR [batch] [threads] [blocks] [images per block]");
            System.exit(2);
        }
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        int steps = Math.max(1, (args.length > 4 ? Integer.parseInt(args[4]) : 6400) / batch);
        Dataset train = MnistLoader.load(DatasetKind.MNIST, Path.of(args[0]), false, System.err).train();
        ModelSpec spec = ModelSpec.forImages(Architecture.FLUX, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        int n = train.count();
        int[] order = new int[n];
        new SeededRandom(2).permutation(order, n);
        CpuBackend[] backends = {new CpuBackend(spec, prep, Math.max(batch, 256), 1),
                new CpuBackend(spec, prep, Math.max(batch, 256), threads)};
        try {
            long[] step = new long[2];
            int[] from = new int[2];
            for (CpuBackend b : backends) b.setParameters(Initializer.initialParameters(spec, 1));
            int skip = blocks / 4, counted = blocks - skip;
            double[] total = new double[2], ratios = new double[counted];
            for (int k = 0; k < blocks; k++) {
                double[] us = new double[2];
                for (int j = 0; j < 2; j++) {
                    int i = k % 2 == 0 ? j : 1 - j;
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        if (from[i] + batch > n) from[i] = 0;
                        backends[i].trainStep(train, order, from[i], batch, adam, 1e-3f, ++step[i]);
                        from[i] += batch;
                    }
                    us[i] = (System.nanoTime() - t0) / 1e3 / steps;
                }
                if (k < skip) continue;
                total[0] += us[0];
                total[1] += us[1];
                ratios[k - skip] = us[0] / us[1];
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "batch %d: 1 thread %.0f us per step, %d threads %.0f us per step: %.2fx"
                            + " (per block: median %.2fx, range %.2f-%.2fx; %d blocks of %d steps after %d of warm-up)%n",
                    batch, total[0] / counted, backends[1].threads(), total[1] / counted, total[0] / total[1],
                    ratios[counted / 2], ratios[0], ratios[counted - 1], counted, steps, skip);
        } finally {
            for (CpuBackend b : backends) b.close();
        }
    }
}
