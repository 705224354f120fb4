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

/**
 * The loop ThreadScaling and EarlyAddTiming share: two cpu backends (flux, Adam, the same initial weights) train on
 * MNIST in alternating blocks of steps, the order swapped every block, so both meet the same host periods; the
 * first quarter of the blocks is warm-up and not counted. For timing harnesses, not tests.
 */
final class AlternatingBlocks {

    /**
     * @param usPerStep each backend's mean microseconds per step over the counted blocks
     * @param ratios    per counted block, backend 0's microseconds per step over backend 1's, sorted
     */
    record Result(double[] usPerStep, double[] ratios, int counted, int steps, int skip) {
        double ratio() { return usPerStep[0] / usPerStep[1]; }
        double medianRatio() { return ratios[counted / 2]; }
    }

    static final ModelSpec SPEC = ModelSpec.forImages(Architecture.FLUX, 28, 28);
    static final Preprocessing PREP = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);

    private AlternatingBlocks() {}

    /** MNIST's training set from DATA_DIR (the directory holding mnist/). */
    static Dataset training(String dataDir) {
        return MnistLoader.load(DatasetKind.MNIST, Path.of(dataDir), false, System.err).train();
    }

    /**
     * @param countingStarts run once, just before the first counted block (e.g. to read a counter)
     */
    static Result run(Dataset train, CpuBackend[] backends, int batch, int blocks, int steps, Runnable countingStarts) {
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        int n = train.count();
        int[] order = new int[n];
        new SeededRandom(2).permutation(order, n);
        for (CpuBackend b : backends) b.setParameters(Initializer.initialParameters(SPEC, 1));
        long[] step = new long[2];
        int[] from = new int[2];
        int skip = blocks / 4, counted = blocks - skip;
        double[] total = new double[2], ratios = new double[counted];
        for (int k = 0; k < blocks; k++) {
            if (k == skip) countingStarts.run();
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
        return new Result(new double[]{total[0] / counted, total[1] / counted}, ratios, counted, steps, skip);
    }
}
