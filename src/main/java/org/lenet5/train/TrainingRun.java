package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.UserException;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * One complete training run: backend, initial weights (or a checkpoint to resume from), the epochs, and the run
 * directory's files. Either way the run directory's lock is released when this returns or throws.
 */
public final class TrainingRun {

    /** Evaluation batch: larger than most training batches because it needs no gradients. */
    public static final int EVAL_BATCH = 256;

    /**
     * @param epochs       metrics of every epoch of the run (after a resume: the earlier ones too)
     * @param trainSeconds wall time of training and per-epoch evaluation in this process
     * @param backend      the backend that ran ("cpu", "cuda", "reference")
     * @param state        where training stands at the end (the last checkpoint's position)
     * @param stopped      a stop request ended it early; the run directory holds a checkpoint to resume from
     */
    public record Outcome(List<EpochMetrics> epochs, double trainSeconds, String backend, Trainer.TrainingState state,
                          boolean stopped) {
        public EpochMetrics last() { return epochs.get(epochs.size() - 1); }
    }

    private TrainingRun() {}

    public static Outcome run(TrainConfig config, DataSplits data, RunDirectory dir, TrainingListener listener,
                              PrintStream notices) {
        return run(config, data, dir, listener, notices, new StopRequest(), 0);
    }

    /**
     * A new run from the seed's initial weights.
     *
     * @param checkpointEvery also write the checkpoint every this many steps (0: at epoch ends only)
     */
    public static Outcome run(TrainConfig config, DataSplits data, RunDirectory dir, TrainingListener listener,
                              PrintStream notices, StopRequest stop, long checkpointEvery) {
        try (dir) {
            ModelSpec spec = ModelSpec.forImages(config.arch(), data.train().rows(), data.train().cols());
            Preprocessing prep = Preprocessing.forArchitecture(config.arch(), data.train().rows(), data.train().cols());
            try (Backend backend = Backends.create(config.backend(), spec, prep, maxBatch(config, data), notices)) {
                backend.setParameters(Initializer.initialParameters(spec, config.seed()));
                Map<String, Object> cfg = config.toMap();
                cfg.put(RunDirectory.BACKEND_USED, backend.name());
                cfg.put(RunDirectory.TRAIN_IMAGES, data.train().count());
                cfg.put("validation_images", data.validation().count());
                cfg.put("test_images", data.test().count());
                cfg.put(RunDirectory.CHECKPOINT_EVERY, checkpointEvery);
                dir.writeConfig(config, cfg);
                return train(config, data, dir, backend, Trainer.TrainingState.START, false, listener, stop, checkpointEvery);
            }
        }
    }

    /**
     * Continues a stored run: its own config, the backend that ran it, parameters and optimizer state from its
     * checkpoint (the seed's initial weights when it stopped before the first one), from the checkpoint's step.
     */
    public static Outcome resume(RunDirectory dir, RunDirectory.Stored stored, DataSplits data, TrainingListener listener,
                                 PrintStream notices, StopRequest stop, long checkpointEvery) {
        try (dir) {
            TrainConfig config = stored.config();
            Trainer.TrainingState state = stored.state();
            checkResumable(dir, stored, data);
            ModelSpec spec = ModelSpec.forImages(config.arch(), data.train().rows(), data.train().cols());
            Preprocessing prep = Preprocessing.forArchitecture(config.arch(), data.train().rows(), data.train().cols());
            BackendKind kind;
            try {
                kind = BackendKind.parse(stored.backendUsed());
            } catch (IllegalArgumentException e) {
                throw new UserException(dir.path().resolve(RunDirectory.CONFIG) + ": backend_used: " + e.getMessage());
            }
            BackendOptions options = new BackendOptions(kind, config.backend().threads(), config.backend().deterministic());
            try (Backend backend = Backends.create(options, spec, prep, maxBatch(config, data), notices)) {
                Checkpoint c = stored.checkpoint();
                if (c == null) backend.setParameters(Initializer.initialParameters(spec, config.seed()));
                else c.loadInto(backend);
                return train(config, data, dir, backend, state, true, listener, stop, checkpointEvery);
            }
        }
    }

    /** Everything that must hold for the stored run to continue exactly on these data; one line per problem. */
    private static void checkResumable(RunDirectory dir, RunDirectory.Stored stored, DataSplits data) {
        TrainConfig config = stored.config();
        Trainer.TrainingState state = stored.state();
        if (stored.trainImages() >= 0 && stored.trainImages() != data.train().count())
            throw new UserException(dir.path() + ": the run trained on " + stored.trainImages()
                    + " images but the data now give " + data.train().count() + "; resume it with the same data (--data-dir)");
        long perEpoch = Trainer.stepsPerEpoch(data.train().count(), config.batchSize());
        long into = state.stepsIntoEpoch(perEpoch);
        if (state.epochsDone() > config.epochs() || into < 0 || into > perEpoch
                || (state.epochsDone() == config.epochs() && into != 0))
            throw new UserException(dir.model() + " is at " + RunDirectory.describe(state) + ", which is not a position"
                    + " in this run of " + config.epochs() + " epochs of " + perEpoch + " steps");
        Checkpoint c = stored.checkpoint();
        if (c == null) return;
        ModelSpec spec = ModelSpec.forImages(config.arch(), data.train().rows(), data.train().cols());
        Preprocessing prep = Preprocessing.forArchitecture(config.arch(), data.train().rows(), data.train().cols());
        if (!c.spec().equals(spec) || !c.preprocessing().equals(prep))
            throw new UserException(dir.model() + " holds a " + c.spec() + " model but the data give a " + spec + " model");
        int buffers = config.optimizer().kind().stateBuffers();
        if (state.step() > 0 && c.optimizerState().length != buffers)
            throw new UserException(dir.model() + " holds " + c.optimizerState().length + " optimizer state buffers but "
                    + config.optimizer().kind().id() + " needs " + buffers + "; it cannot continue the run exactly");
    }

    /**
     * The largest batch the backend is built for: a training batch never holds more images than the training set
     * (--batch-size 65536 on 2,000 images must not allocate for 65,536), and evaluation takes EVAL_BATCH at a time.
     */
    static int maxBatch(TrainConfig config, DataSplits data) {
        return Math.max(Math.min(config.batchSize(), data.train().count()), EVAL_BATCH);
    }

    private static Outcome train(TrainConfig config, DataSplits data, RunDirectory dir, Backend backend,
                                 Trainer.TrainingState from, boolean resumed, TrainingListener listener, StopRequest stop,
                                 long checkpointEvery) {
        long start = System.nanoTime();
        Trainer trainer = new Trainer(config, backend, data.train(), data.validation(), data.test(), EVAL_BATCH);
        Trainer.Result r = trainer.run(from, listener, dir, stop, checkpointEvery);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<EpochMetrics> all = dir.metrics();
        if (!r.stopped()) {
            Map<String, Object> summary = RunDirectory.summary(config, backend.name(), all, seconds);
            summary.put("parameters", backend.layout().size());
            summary.put("threads", config.backend().threads());
            // After a resume train_seconds counts only this process's part; this says where it took over.
            if (resumed) summary.put("resumed_at_step", from.step());
            dir.writeSummary(summary);
        }
        return new Outcome(all, seconds, backend.name(), r.state(), r.stopped());
    }
}
