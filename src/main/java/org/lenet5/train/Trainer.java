package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.util.SeededRandom;

import java.util.ArrayList;
import java.util.List;

/**
 * The training loop: shuffle from the seed every epoch, train every batch (the last one may be partial,
 * never dropped), evaluate on validation and test, report, and hand each finished epoch to the caller
 * (who writes metrics and the checkpoint).
 */
public final class Trainer {

    /** Seeds derived from the run's seed for independent purposes. */
    public static final long SHUFFLE_STREAM = 2;

    /** Called after every epoch, before the next one starts (the run directory writes its files here). */
    public interface EpochSink {
        void epochDone(EpochMetrics metrics, TrainingState state, Backend backend);
    }

    /**
     * Where a run stands between epochs: what a checkpoint must hold to continue exactly.
     *
     * @param epochsDone completed epochs
     * @param step       optimizer steps taken so far
     */
    public record TrainingState(int epochsDone, long step) {
        public static final TrainingState START = new TrainingState(0, 0);
    }

    private final TrainConfig config;
    private final Backend backend;
    private final Dataset train, validation, test;
    private final Evaluator evaluator;
    private final int[] order;  // (train.count()) this epoch's permutation

    public Trainer(TrainConfig config, Backend backend, Dataset train, Dataset validation, Dataset test, int evalBatch) {
        this.config = config;
        this.backend = backend;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.evaluator = new Evaluator(backend, Math.min(evalBatch, backend.maxBatchSize()));
        this.order = new int[train.count()];
    }

    public long stepsPerEpoch() {
        return (train.count() + config.batchSize() - 1) / config.batchSize();
    }

    /** Trains from state (START for a new run) to config.epochs(); returns every epoch's metrics. */
    public List<EpochMetrics> run(TrainingState state, TrainingListener listener, EpochSink sink) {
        List<EpochMetrics> all = new ArrayList<>();
        int n = train.count();
        int batch = config.batchSize();
        long totalSteps = stepsPerEpoch() * config.epochs();
        long step = state.step();
        for (int epoch = state.epochsDone(); epoch < config.epochs(); epoch++) {
            SeededRandom.derive(config.seed(), SHUFFLE_STREAM, epoch).permutation(order, n);
            listener.epochStarted(epoch + 1, config.epochs(), n);
            double lossSum = 0;
            long correct = 0;
            long start = System.nanoTime();
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                float lr = config.schedule().rate(config.lr(), epoch, config.epochs(), step, totalSteps);
                step++;
                BatchResult r = backend.trainStep(train, order, from, count, config.optimizer(), lr, step);
                if (!Double.isFinite(r.lossSum()))
                    throw new DivergedException(epoch + 1, step, lr, batch, "the training loss is " + r.lossSum());
                lossSum += r.lossSum();
                correct += r.correct();
                listener.batchFinished(count, lossSum / (from + count));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EvaluationResult val = validation == null || validation.count() == 0 ? null : evaluator.evaluate(validation);
            EvaluationResult tst = evaluator.evaluate(test);
            EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / n, correct / (double) n,
                    val == null ? Double.NaN : val.accuracy(), tst.meanLoss(), tst.accuracy(), seconds, n / seconds);
            all.add(m);
            listener.epochFinished(m, config.epochs());
            sink.epochDone(m, new TrainingState(epoch + 1, step), backend);
        }
        return all;
    }
}
