package org.lenet5.bench;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.EvaluationResult;
import org.lenet5.train.Evaluator;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.Trainer;
import org.lenet5.util.SeededRandom;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * One configuration of {@code lenet5 bench}: a backend trains on the training set the way {@code lenet5 train}
 * does (a seeded shuffle per epoch, every batch including the last partial one, Adam at a constant 1e-3 as in the
 * PyTorch anchor script), after a warm-up that is not timed; each timed epoch is followed by a timed inference
 * pass over the test set (the Evaluator, as training runs use it).
 *
 * <p>Epoch seconds cover the training steps of one pass over the training images (the shuffle included, as in
 * the PyTorch script), nothing else. Peak resident memory covers this configuration from before its backend was
 * built to the end of its last timed epoch (the process's whole life if the kernel does not allow the reset).
 */
public final class TrainingBenchmark {

    /** Adam, learning rate 1e-3, no L2: the PyTorch anchor's settings. */
    public static final OptimizerSettings OPTIMIZER = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
    public static final float LR = 1e-3f;

    /**
     * @param backend     which backend
     * @param arch        network variant
     * @param batchSize   training images per step
     * @param threads     CPU threads (cpu backend)
     * @param epochs      timed epochs (each followed by a timed inference pass)
     * @param warmupSteps untimed training steps first, so the JIT compiler has compiled the hot code
     * @param evalBatch   images per forward pass of the inference timing
     * @param seed        initial weights and shuffles
     */
    public record Config(BackendKind backend, Architecture arch, int batchSize, int threads, int epochs,
                         int warmupSteps, int evalBatch, long seed) {
        public Config {
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must not be negative, got " + warmupSteps);
            if (evalBatch < 1) throw new IllegalArgumentException("evaluation batch must be at least 1, got " + evalBatch);
        }
    }

    /**
     * @param backendName          the backend that ran ("cpu", ...)
     * @param threadsUsed          threads the backend actually used (the cpu backend uses at most batchSize)
     * @param trainImages          training images per timed epoch
     * @param epochSeconds         seconds per timed epoch
     * @param trainImagesPerSecond trainImages / epoch seconds, per epoch
     * @param testImages           images per inference pass
     * @param inferenceSeconds     seconds per inference pass
     * @param inferenceImagesPerSecond testImages / inference seconds, per pass
     * @param testAccuracy         accuracy of the last inference pass (a check that training worked)
     * @param trainLoss            mean training loss of the last timed epoch
     * @param residentAtStartBytes VmRSS when the configuration started, before its backend was built (-1 if
     *                             unknown): what the process already held (the JVM, the datasets, a heap the JVM
     *                             grew while loading them), so the peak minus this is what training added
     * @param peakResidentBytes    VmHWM at the end of the timed epochs (-1 if unknown)
     * @param peakCoversRunOnly    whether the peak was reset before this configuration started
     * @param allocatedBytesPerStep heap bytes allocated per training step by the calling thread and the backend's
     *                             threads during the timed epochs (-1 if the JVM cannot tell)
     * @param jitMillis            milliseconds the JIT compilers spent during each timed epoch's training steps
     *                             (null if the JVM cannot tell): with 2 threads on 2 cores, compiling takes a
     *                             core from training, so a timed epoch with much of it is not a steady-state one
     * @param loadAtStart          load averages (1, 5, 15 min) before the warm-up
     * @param loadAtEnd            load averages after the last timed epoch
     */
    public record Result(Config config, String backendName, int threadsUsed, int trainImages, Spread epochSeconds,
                         Spread trainImagesPerSecond, int testImages, Spread inferenceSeconds,
                         Spread inferenceImagesPerSecond, double testAccuracy, double trainLoss,
                         long residentAtStartBytes, long peakResidentBytes, boolean peakCoversRunOnly,
                         double allocatedBytesPerStep, Spread jitMillis,
                         double[] loadAtStart, double[] loadAtEnd) {}

    private TrainingBenchmark() {}

    /**
     * @param progress one line per timed epoch (stderr in the CLI)
     */
    public static Result run(Config c, Dataset train, Dataset test, PrintStream progress) {
        if (train.rows() != test.rows() || train.cols() != test.cols())
            throw new IllegalArgumentException("training images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols());
        double[] loadAtStart = ProcessStatus.loadAverage();
        boolean reset = ProcessStatus.resetPeakResident();
        long residentAtStart = ProcessStatus.residentBytes();
        ModelSpec spec = ModelSpec.forImages(c.arch(), train.rows(), train.cols());
        Preprocessing prep = Preprocessing.forArchitecture(c.arch(), train.rows(), train.cols());
        int maxBatch = Math.max(c.batchSize(), c.evalBatch());   // as TrainingRun: one backend trains and evaluates
        BackendOptions options = new BackendOptions(c.backend(), c.threads(), false);
        try (Backend backend = Backends.create(options, spec, prep, maxBatch, progress)) {
            backend.setParameters(Initializer.initialParameters(spec, c.seed()));
            Evaluator evaluator = new Evaluator(backend, Math.min(c.evalBatch(), test.count()));
            int n = train.count();
            int[] order = new int[n];
            long[] step = {0};

            // warm-up: a shuffle of its own, so the timed epochs see the same orders whatever the warm-up length
            SeededRandom.derive(c.seed(), Trainer.SHUFFLE_STREAM, -1).permutation(order, n);
            for (int s = 0, from = 0; s < c.warmupSteps(); s++) {
                if (from >= n) from = 0;
                int count = Math.min(c.batchSize(), n - from);
                backend.trainStep(train, order, from, count, OPTIMIZER, LR, ++step[0]);
                from += count;
            }
            if (c.warmupSteps() > 0) evaluator.evaluate(test);

            AllocationCounter allocation = new AllocationCounter();
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
            double[] epochSeconds = new double[c.epochs()], inferSeconds = new double[c.epochs()];
            double[] jitMillis = new double[c.epochs()];
            double lossSum = 0, accuracy = Double.NaN;
            long stepsTimed = 0, allocated = 0;
            for (int e = 0; e < c.epochs(); e++) {
                long alloc0 = allocation.allocatedBytes();
                long jit0 = jitTimed ? jit.getTotalCompilationTime() : 0;
                long t0 = System.nanoTime();
                SeededRandom.derive(c.seed(), Trainer.SHUFFLE_STREAM, e).permutation(order, n);
                lossSum = 0;
                for (int from = 0; from < n; from += c.batchSize()) {
                    int count = Math.min(c.batchSize(), n - from);
                    BatchResult r = backend.trainStep(train, order, from, count, OPTIMIZER, LR, ++step[0]);
                    lossSum += r.lossSum();
                    stepsTimed++;
                }
                long t1 = System.nanoTime();
                if (jitTimed) jitMillis[e] = jit.getTotalCompilationTime() - jit0;
                allocated += allocation.allocatedBytes() - alloc0;
                EvaluationResult ev = evaluator.evaluate(test);
                long t2 = System.nanoTime();
                epochSeconds[e] = (t1 - t0) * 1e-9;
                inferSeconds[e] = (t2 - t1) * 1e-9;
                accuracy = ev.accuracy();
                progress.printf(java.util.Locale.ROOT,
                        "  batch %d, %d thread(s): epoch %d/%d %.2f s (%.0f images/s%s), inference %.3f s, test accuracy %.2f%%%n",
                        c.batchSize(), c.threads(), e + 1, c.epochs(), epochSeconds[e], n / epochSeconds[e],
                        jitTimed ? String.format(java.util.Locale.ROOT, ", JIT %.0f ms", jitMillis[e]) : "",
                        inferSeconds[e], 100 * accuracy);
            }
            long peak = ProcessStatus.peakResidentBytes();
            Spread epochs = Spread.of(epochSeconds), infer = Spread.of(inferSeconds);
            int threadsUsed = backend instanceof org.lenet5.backend.cpu.CpuBackend cpu ? cpu.threads()
                    : c.backend() == BackendKind.REFERENCE ? 1 : c.threads();
            return new Result(c, backend.name(), threadsUsed, n, epochs, epochs.reciprocal(n), test.count(), infer,
                    infer.reciprocal(test.count()), accuracy, lossSum / n, residentAtStart, peak, reset,
                    allocation.supported() ? allocated / (double) stepsTimed : -1,
                    jitTimed ? Spread.of(jitMillis) : null, loadAtStart, ProcessStatus.loadAverage());
        }
    }

    /**
     * Heap bytes allocated by the calling thread and the cpu backend's worker threads (named lenet5-cpu-*), found once
     * when built; reading the counters allocates nothing.
     */
    static final class AllocationCounter {
        private final com.sun.management.ThreadMXBean mx;
        private final long[] threadIds;

        AllocationCounter() {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m
                    && m.isThreadAllocatedMemorySupported() && m.isThreadAllocatedMemoryEnabled()) {
                mx = m;
                threadIds = java.util.stream.Stream.concat(java.util.stream.Stream.of(Thread.currentThread()),
                                Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("lenet5-cpu")))
                        .mapToLong(Thread::getId).toArray();
            } else {
                mx = null;
                threadIds = new long[0];
            }
        }

        boolean supported() { return mx != null; }

        long allocatedBytes() {
            long total = 0;
            for (long id : threadIds) total += mx == null ? 0 : mx.getThreadAllocatedBytes(id);
            return total;
        }
    }
}
