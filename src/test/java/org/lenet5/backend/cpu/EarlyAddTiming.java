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
 * What adding finished chunks early (CpuBackend.addFinishedChunks) is worth: two N-thread cpu backends in one
 * process, one adding early and one not, trained in alternating blocks of steps (the order swapped every block), so
 * both meet the same host periods; the first quarter of the blocks is warm-up. Prints each backend's mean
 * microseconds per step, the median of the per-block ratios, and how many additions were made early. A timing
 * loop for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -XX:CompileCommandFile=src/main/jvm/compile-commands.txt \
 *      -cp target/classes:target/test-classes org.lenet5.backend.cpu.EarlyAddTiming DATA_DIR [batch] [threads] [blocks]
 *      [control]      (default 128 2 40; control: neither backend adds early, to see the harness's own spread)
 * </pre>
 */
public final class EarlyAddTiming {

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: EarlyAddTiming DATA_DIR [batch] [threads] [blocks]");
            System.exit(2);
        }
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        boolean control = args.length > 4 && args[4].equals("control");   // both without: the harness's own spread
        int steps = Math.max(1, 6400 / batch);
        Dataset train = MnistLoader.load(DatasetKind.MNIST, Path.of(args[0]), false, System.err).train();
        ModelSpec spec = ModelSpec.forImages(Architecture.FLUX, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        int n = train.count();
        int[] order = new int[n];
        new SeededRandom(2).permutation(order, n);
        CpuBackend[] backends = {new CpuBackend(spec, prep, batch, threads, false),
                new CpuBackend(spec, prep, batch, threads, !control)};
        try {
            for (CpuBackend b : backends) b.setParameters(Initializer.initialParameters(spec, 1));
            long[] step = new long[2];
            int[] from = new int[2];
            int skip = blocks / 4, counted = blocks - skip;
            double[] total = new double[2], ratios = new double[counted];
            long earlyAtSkip = 0;
            for (int k = 0; k < blocks; k++) {
                if (k == skip) earlyAtSkip = backends[1].earlyAdds.get();
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
            long early = backends[1].earlyAdds.get() - earlyAtSkip;
            System.out.printf(Locale.ROOT, "batch %d, %d threads: %.0f us per step without early adds, %.0f with: "
                            + "%.3fx (per block: median %.3fx, range %.3f-%.3fx; %d blocks of %d steps after %d of "
                            + "warm-up); %.2f early additions per step%n",
                    batch, backends[1].threads(), total[0] / counted, total[1] / counted, total[0] / total[1],
                    ratios[counted / 2], ratios[0], ratios[counted - 1], counted, steps, skip,
                    early / (double) (counted * steps));
        } finally {
            for (CpuBackend b : backends) b.close();
        }
    }
}
