package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.model.Activation;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Pooling;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;

import static org.lenet5.backend.cpu.CpuLayers.*;
import static org.lenet5.model.ModelSpec.*;

/**
 * Where a training step's time goes, for the optimisation log in docs/benchmarks.md; a timing loop, not a test.
 * Per layer kernel: microseconds for one chunk of 16 images, the minimum over 15 windows of 200 calls (minima are
 * steadier than means on a machine shared with other work). Per step: forwardBackward and update separately,
 * seconds per epoch of 60,000 random images. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *      org.lenet5.backend.cpu.CpuKernelBenchmark [flux|classic] [kernels|steps]   (only those)
 * </pre>
 */
public final class CpuKernelBenchmark {

    private interface Kernel {
        void run();
    }

    public static void main(String[] args) {
        Architecture arch = args.length > 0 ? Architecture.parse(args[0]) : Architecture.FLUX;
        ModelSpec spec = ModelSpec.forImages(arch, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(arch, 28, 28);
        System.out.printf("%s, %d-lane vectors, load %s%n", spec, Gemm.L, load());
        String only = args.length > 1 ? args[1] : "";
        if (!only.equals("steps")) {
            kernels(spec, prep);
            transposes(spec, prep);
        }
        if (!only.equals("kernels")) steps(spec, prep);
        System.out.println("load after: " + load());
    }

    /** Every layer kernel on one chunk of 16 images with random inputs (their speed does not depend on the values). */
    private static void kernels(ModelSpec spec, Preprocessing prep) {
        int n = 16, reps = 200;
        ParameterLayout layout = new ParameterLayout(spec);
        float[] p = ChunkActivations.buffer(layout.size()), g = ChunkActivations.buffer(layout.size());
        float[] init = Initializer.initialParameters(spec, 1);
        System.arraycopy(init, 0, p, 0, init.length);
        float[] fc1T = ChunkActivations.buffer(layout.fc1W.size()), fc2T = ChunkActivations.buffer(layout.fc2W.size()),
                fc3T = ChunkActivations.buffer(layout.fc3W.size());
        ChunkActivations a = new ChunkActivations(spec, n);
        SeededRandom rng = new SeededRandom(3);
        for (int i = 0; i < a.input.length; i++) a.input[i] = (float) rng.nextDouble();
        Activation act = spec.activation();
        Pooling pool = spec.pooling();
        int h = spec.inputHeight(), w = spec.inputWidth(), hw = h * w, span = (spec.conv1H() - 1) * w + spec.conv1W();
        int p1h = spec.pool1H(), p1w = spec.pool1W(), plane2 = spec.conv2H() * spec.conv2W(), cols2 = n * plane2;
        float[] act1 = ChunkActivations.buffer(n * C1 * hw), act2 = ChunkActivations.buffer(C2 * cols2);
        float[] deriv1 = act1.clone(), deriv2 = act2.clone();
        float[] col2 = ChunkActivations.buffer(C1 * TAPS * cols2), dcol2 = ChunkActivations.buffer(DCOL_OFFSET + C1 * TAPS * dcolStride(cols2));
        for (int i = 0; i < dcol2.length; i++) dcol2[i] = (float) rng.nextDouble();
        float[] keep = col2imKeep(p1w), dPool1 = ChunkActivations.buffer(n * spec.outputSize(LayerOutput.POOL1));
        float[] dConv1 = ChunkActivations.buffer(n * C1 * hw), dConv2 = ChunkActivations.buffer(C2 * cols2);
        float[] dLogits = ChunkActivations.buffer(n * CLASSES), dAct4 = ChunkActivations.buffer(n * F2),
                dAct3 = ChunkActivations.buffer(n * F1), dPool2 = ChunkActivations.buffer(n * spec.flatSize());
        float[] dyT = ChunkActivations.buffer(C2 * cols2), gT = ChunkActivations.buffer(C1 * TAPS * C2);
        float[] lanes = Gemm.dotScratch(), panel = Gemm.panelScratch(Math.max(C1 * TAPS, Math.max(spec.flatSize(), F1)));
        int[] taps = new int[TAPS], planes = new int[C2];
        byte[] pixels = new byte[n * prep.imageRows() * prep.imageCols()];

        time("preprocess", reps, () -> {
            for (int b = 0; b < n; b++) prep.apply(pixels, b * prep.imageRows() * prep.imageCols(), a.input, b * hw);
        });
        time("conv1 forward", reps, () -> conv1Forward(a.input, n, h, w, p, layout.conv1W.offset(), layout.conv1B.offset(), a.conv1));
        time("act1 forward", reps, () -> {
            for (int pl = 0; pl < C1 * n; pl++) activationForward(act, a.conv1, act1, deriv1, pl * hw, span);
        });
        time("pool1 forward", reps, () -> poolForward(pool, act1, C1, n, hw, w, p1h, p1w, a.pool1, a.argmax1));
        time("im2col", reps, () -> im2col(a.pool1, n, C1, p1h, p1w, col2));
        time("conv2 forward", reps, () -> conv2Forward(col2, C1, C2, cols2, p, layout.conv2W.offset(), layout.conv2B.offset(), a.conv2, panel));
        time("act2 forward", reps, () -> activationForward(act, a.conv2, act2, deriv2, 0, C2 * cols2));
        time("pool2 forward", reps, () -> poolForward(pool, act2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), a.pool2, a.argmax2));
        time("fc1 forward", reps, () -> denseForward(a.pool2, n, spec.flatSize(), fc1T, p, layout.fc1B.offset(), F1, a.fc1, panel));
        time("fc2 forward", reps, () -> denseForward(a.act3, n, F1, fc2T, p, layout.fc2B.offset(), F2, a.fc2, panel));
        time("fc3 forward", reps, () -> denseForward(a.act4, n, F2, fc3T, p, layout.fc3B.offset(), CLASSES, a.logits, panel));
        time("softmax + loss", reps, () -> softmaxCrossEntropy(a.logits, n, a.labels, a.probabilities, dLogits, 32));
        time("fc3 backward", reps, () -> denseBackward(n, F2, p, layout.fc3W.offset(), CLASSES, dLogits, g, layout.fc3B.offset(), dAct4, panel));
        time("fc2 backward", reps, () -> denseBackward(n, F1, p, layout.fc2W.offset(), F2, dAct4, g, layout.fc2B.offset(), dAct3, panel));
        time("fc1 backward", reps, () -> denseBackward(n, spec.flatSize(), p, layout.fc1W.offset(), F1, dAct3, g, layout.fc1B.offset(), dPool2, panel));
        int[] counts = {n};
        time("fc dW (update)", reps, () -> {   // per chunk: the update forms them over the whole batch
            denseWeightGradient(new float[][]{a.pool2}, new float[][]{dAct3}, counts, 1, spec.flatSize(), F1, g, layout.fc1W.offset(), 0, F1);
            denseWeightGradient(new float[][]{a.act3}, new float[][]{dAct4}, counts, 1, F1, F2, g, layout.fc2W.offset(), 0, F2);
            denseWeightGradient(new float[][]{a.act4}, new float[][]{dLogits}, counts, 1, F2, CLASSES, g, layout.fc3W.offset(), 0, CLASSES);
        });
        if (a.fusedReluMaxPool)
            time("pool2 backward", reps, () -> maxPoolReluBackward(a.pool2, dPool2, a.argmax2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), dConv2));
        else
            time("pool2 backward", reps, () -> poolActivationBackward(pool, act, act2, deriv2, dPool2, a.argmax2, C2, n, plane2, spec.conv2W(), spec.pool2H(), spec.pool2W(), dConv2));
        time("conv2 backward", reps, () -> conv2Backward(col2, C1, C2, cols2, p, layout.conv2W.offset(), dConv2, g, layout.conv2W.offset(), layout.conv2B.offset(), dcol2, dyT, gT, lanes, panel));
        time("col2im", reps, () -> col2im(dcol2, n, C1, p1h, p1w, keep, dPool1));
        if (a.fusedReluMaxPool)
            time("pool1 backward", reps, () -> maxPoolReluBackward(a.pool1, dPool1, a.argmax1, C1, n, hw, w, p1h, p1w, dConv1));
        else
            time("pool1 backward", reps, () -> poolActivationBackward(pool, act, act1, deriv1, dPool1, a.argmax1, C1, n, hw, w, p1h, p1w, dConv1));
        time("conv1 backward", reps, () -> conv1Backward(a.input, n, h, w, dConv1, g, layout.conv1W.offset(), layout.conv1B.offset(), taps, planes, lanes));
    }

    /** The whole-buffer parameter copy and dense-weight transposes that setParameters does (the update does them by range). */
    private static void transposes(ModelSpec spec, Preprocessing prep) {
        float[] init = Initializer.initialParameters(spec, 1);
        try (CpuBackend cpu = new CpuBackend(spec, prep, 16, 1)) {
            time("setParameters", "call", 200, () -> cpu.setParameters(init));
        }
    }

    private static void time(String what, int reps, Kernel k) {
        time(what, "16 images", reps, k);
    }

    private static void time(String what, String per, int reps, Kernel k) {
        for (int i = 0; i < reps; i++) k.run();
        double best = Double.MAX_VALUE;
        for (int window = 0; window < 15; window++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) k.run();
            best = Math.min(best, (System.nanoTime() - t0) / (double) reps);
        }
        System.out.printf("  %-16s %8.1f us per %s%n", what, best / 1000, per);
    }

    /**
     * Whole training steps on 1 and 2 threads: forwardBackward and update timed apart, the last of 3 epochs; the
     * median and 10th percentile of single steps too (less disturbed by other work on the machine than the totals).
     */
    private static void steps(ModelSpec spec, Preprocessing prep) {
        Dataset data = CpuTestSupport.randomImages(60_000, 28, 28, 1);
        int[] order = new int[data.count()];
        new SeededRandom(2).permutation(order, order.length);
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        for (int batch : new int[]{32, 128})
            for (int threads : new int[]{1, 2})
                try (CpuBackend cpu = new CpuBackend(spec, prep, batch, threads)) {
                    cpu.setParameters(Initializer.initialParameters(spec, 1));
                    int steps = data.count() / batch;
                    long step = 0, forward = 0, update = 0;
                    long[] fbTimes = new long[steps], upTimes = new long[steps], stepTimes = new long[steps];
                    for (int epoch = 0; epoch < 3; epoch++) {
                        forward = 0;
                        update = 0;
                        for (int s = 0; s < steps; s++) {
                            long t0 = System.nanoTime();
                            cpu.forwardBackward(data, order, s * batch, batch);
                            long t1 = System.nanoTime();
                            cpu.update(adam, 1e-3f, ++step);
                            long t2 = System.nanoTime();
                            update += t2 - t1;
                            forward += t1 - t0;
                            fbTimes[s] = t1 - t0;
                            upTimes[s] = t2 - t1;
                            stepTimes[s] = t2 - t0;
                        }
                    }
                    System.out.printf("  batch %3d, %d thread(s): forwardBackward %.2f s, update %.3f s per epoch (%.0f us per step)"
                                    + "; per step median/p10 us: step %.0f/%.0f, forwardBackward %.0f/%.0f, update %.0f/%.0f%n",
                            batch, threads, forward * 1e-9, update * 1e-9, update * 1e-3 / steps,
                            quantile(stepTimes, 0.5), quantile(stepTimes, 0.1), quantile(fbTimes, 0.5),
                            quantile(fbTimes, 0.1), quantile(upTimes, 0.5), quantile(upTimes, 0.1));
                }
    }

    /** The q-quantile of the values, in microseconds (sorts them). */
    private static double quantile(long[] nanos, double q) {
        java.util.Arrays.sort(nanos);
        return nanos[(int) (q * (nanos.length - 1))] * 1e-3;
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
