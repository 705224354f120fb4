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
 *
 * <p>Everything the loop needs to continue exactly is in {@link TrainingState}: the shuffle of an epoch depends
 * only on the seed and the epoch number, the learning rate only on the step, and the position within an epoch is
 * the step minus the steps of the finished epochs. So a run resumed from any state that the sink was given
 * continues bit for bit as if it had never stopped (given a backend whose parameters and optimizer state
 * survive the checkpoint exactly: float32 ones).
 */
public final class Trainer {

    /** Seeds derived from the run's seed for independent purposes. */
    public static final long SHUFFLE_STREAM = 2;

    /** Where the trainer hands its state to be saved (the run directory writes its files here). */
    public interface EpochSink {
        /** After an epoch's steps and evaluation, before the next epoch starts: its metrics row and a checkpoint. */
        void epochDone(EpochMetrics metrics, TrainingState state, Backend backend);

        /** Within an epoch (--checkpoint-every N steps, or a stop request): a checkpoint only. */
        default void checkpoint(TrainingState state, Backend backend) {
            throw new UnsupportedOperationException("this sink cannot save a checkpoint within an epoch");
        }
    }

    /**
     * Where a run stands after a step: what a checkpoint must hold to continue exactly.
     *
     * @param epochsDone   completed (trained and evaluated) epochs
     * @param step         optimizer steps taken so far, in the whole run; the steps of the epoch in progress are
     *                     step - epochsDone * stepsPerEpoch (0 at an epoch boundary; all of them when a stop
     *                     came after the epoch's last step but before its evaluation)
     * @param epochLossSum sum of the per-image training losses of the epoch in progress so far (0 at a boundary)
     * @param epochCorrect training images of the epoch in progress classified right so far (0 at a boundary)
     */
    public record TrainingState(int epochsDone, long step, double epochLossSum, long epochCorrect) {
        public static final TrainingState START = new TrainingState(0, 0, 0, 0);

        public TrainingState(int epochsDone, long step) { this(epochsDone, step, 0, 0); }

        /** Steps already taken in the epoch in progress. */
        public long stepsIntoEpoch(long stepsPerEpoch) { return step - epochsDone * stepsPerEpoch; }
    }

    /**
     * @param epochs  the metrics of the epochs finished in this call
     * @param state   where training stands now (the last state handed to the sink)
     * @param stopped true when a {@link StopRequest} ended training before the last epoch
     */
    public record Result(List<EpochMetrics> epochs, TrainingState state, boolean stopped) {}

    private final TrainConfig config;
    private final Backend backend;
    private final Dataset train, validation, test;
    private final Evaluator evaluator;
    private final int[] order;      // (train.count()) this epoch's permutation
    private final float[] params;   // (layout.size()) the parameters, copied out to check they are finite

    public Trainer(TrainConfig config, Backend backend, Dataset train, Dataset validation, Dataset test, int evalBatch) {
        this.config = config;
        this.backend = backend;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.evaluator = new Evaluator(backend, Math.min(evalBatch, backend.maxBatchSize()));
        this.order = new int[train.count()];
        this.params = new float[backend.layout().size()];
    }

    public long stepsPerEpoch() { return stepsPerEpoch(train.count(), config.batchSize()); }

    public static long stepsPerEpoch(int images, int batchSize) { return (images + batchSize - 1) / batchSize; }

    /** Trains from state (START for a new run) to config.epochs(); returns every epoch's metrics. */
    public List<EpochMetrics> run(TrainingState state, TrainingListener listener, EpochSink sink) {
        return run(state, listener, sink, new StopRequest(), 0).epochs();
    }

    /**
     * Trains from state to config.epochs(), or until stop is requested: then the current step is finished, a
     * checkpoint is handed to the sink and the result says stopped.
     *
     * @param checkpointEvery also hand a checkpoint to the sink every this many steps (0: only at epoch ends)
     * @throws DivergedException when the loss, a parameter or the optimizer state stops being finite; the sink is
     *                           not called for the diverged state
     */
    public Result run(TrainingState state, TrainingListener listener, EpochSink sink, StopRequest stop, long checkpointEvery) {
        int n = train.count();
        int batch = config.batchSize();
        int epochs = config.epochs();
        long perEpoch = stepsPerEpoch();
        long totalSteps = perEpoch * epochs;
        long into = state.stepsIntoEpoch(perEpoch);
        if (state.epochsDone() < 0 || state.epochsDone() > epochs || into < 0 || into > perEpoch
                || (state.epochsDone() == epochs && into != 0))
            throw new IllegalArgumentException(state + " is not a position in a run of " + epochs + " epochs of "
                    + perEpoch + " steps");
        List<EpochMetrics> all = new ArrayList<>();
        long step = state.step();
        TrainingState now = state;
        for (int epoch = state.epochsDone(); epoch < epochs; epoch++) {
            boolean resumedEpoch = epoch == state.epochsDone();
            int firstImage = (int) ((resumedEpoch ? into : 0) * batch);
            double lossSum = resumedEpoch ? state.epochLossSum() : 0;
            long correct = resumedEpoch ? state.epochCorrect() : 0;
            SeededRandom.derive(config.seed(), SHUFFLE_STREAM, epoch).permutation(order, n);
            listener.epochStarted(epoch + 1, epochs, n);
            if (firstImage > 0) listener.batchFinished(firstImage, lossSum / firstImage);
            long start = System.nanoTime();
            for (int from = firstImage; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                float lr = rate(epoch, step, totalSteps);
                step++;
                BatchResult r = backend.trainStep(train, order, from, count, config.optimizer(), lr, step);
                if (!Double.isFinite(r.lossSum()))
                    throw new DivergedException(epoch + 1, step, lr, batch, "the training loss is " + r.lossSum());
                lossSum += r.lossSum();
                correct += r.correct();
                listener.batchFinished(count, lossSum / (from + count));
                boolean stopping = stop.requested();
                boolean epochEnd = from + count >= n;
                if (stopping || (checkpointEvery > 0 && step % checkpointEvery == 0 && !epochEnd)) {
                    now = new TrainingState(epoch, step, lossSum, correct);
                    checkFinite(now, epoch + 1, lr);
                    sink.checkpoint(now, backend);
                    if (stopping) return new Result(all, now, true);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            now = new TrainingState(epoch + 1, step);
            checkFinite(now, epoch + 1, step == 0 ? config.lr() : rate((int) ((step - 1) / perEpoch), step - 1, totalSteps));
            EvaluationResult val = validation == null || validation.count() == 0 ? null : evaluator.evaluate(validation);
            EvaluationResult tst = evaluator.evaluate(test);
            EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / n, correct / (double) n,
                    val == null ? Double.NaN : val.accuracy(), tst.meanLoss(), tst.accuracy(), seconds,
                    (n - firstImage) / seconds);
            all.add(m);
            listener.epochFinished(m, epochs);
            sink.epochDone(m, now, backend);
            if (stop.requested() && epoch + 1 < epochs) return new Result(all, now, true);
        }
        return new Result(all, now, false);
    }

    /** The learning rate of the step with this 0-based index, taken in this 0-based epoch. */
    private float rate(int epoch, long stepIndex, long totalSteps) {
        return config.schedule().rate(config.lr(), epoch, config.epochs(), stepIndex, totalSteps);
    }

    /**
     * Refuses to go on (and to save) when a parameter or an optimizer state value is NaN or infinite. A finite loss
     * does not prove the parameters finite: ReLU and max-pooling can hide a NaN weight, and the float64 reference
     * can hold values beyond float32's range, which become infinite in the float32 checkpoint.
     */
    private void checkFinite(TrainingState s, int epoch, float lr) {
        backend.getParameters(params);
        for (int i = 0; i < params.length; i++)
            if (!Float.isFinite(params[i]))
                throw new DivergedException(epoch, s.step(), lr, config.batchSize(),
                        "parameter " + backend.layout().tensorAt(i).name() + " is " + params[i]);
        float[][] state = backend.getOptimizerState();
        for (int b = 0; b < state.length; b++)
            for (int i = 0; i < state[b].length; i++)
                if (!Float.isFinite(state[b][i]))
                    throw new DivergedException(epoch, s.step(), lr, config.batchSize(),
                            "optimizer state " + b + " of " + backend.layout().tensorAt(i).name() + " is " + state[b][i]);
    }
}
