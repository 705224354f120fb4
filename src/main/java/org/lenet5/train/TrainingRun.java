package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.backend.Backends;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** One complete training run: backend, initial weights, the epochs, and the run directory's files. */
public final class TrainingRun {

    /** Evaluation batch: larger than most training batches because it needs no gradients. */
    public static final int EVAL_BATCH = 256;

    /**
     * @param epochs       metrics of every epoch
     * @param trainSeconds wall time of training and per-epoch evaluation
     * @param backend      the backend that ran ("cpu", "cuda", "reference")
     */
    public record Outcome(List<EpochMetrics> epochs, double trainSeconds, String backend) {
        public EpochMetrics last() { return epochs.get(epochs.size() - 1); }
    }

    private TrainingRun() {}

    public static Outcome run(TrainConfig config, DataSplits data, RunDirectory dir, TrainingListener listener,
                              PrintStream notices) {
        ModelSpec spec = ModelSpec.forImages(config.arch(), data.train().rows(), data.train().cols());
        Preprocessing prep = Preprocessing.forArchitecture(config.arch(), data.train().rows(), data.train().cols());
        int maxBatch = Math.max(config.batchSize(), EVAL_BATCH);
        try (Backend backend = Backends.create(config.backend(), spec, prep, maxBatch, notices)) {
            backend.setParameters(Initializer.initialParameters(spec, config.seed()));
            Map<String, Object> cfg = config.toMap();
            cfg.put("backend_used", backend.name());
            cfg.put("train_images", data.train().count());
            cfg.put("validation_images", data.validation().count());
            cfg.put("test_images", data.test().count());
            dir.writeConfig(cfg);
            long start = System.nanoTime();
            Trainer trainer = new Trainer(config, backend, data.train(), data.validation(), data.test(), EVAL_BATCH);
            List<EpochMetrics> epochs = trainer.run(Trainer.TrainingState.START, listener, dir);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> summary = RunDirectory.summary(config, backend.name(), epochs, seconds);
            summary.put("parameters", backend.layout().size());
            summary.put("threads", config.backend().threads());
            dir.writeSummary(summary);
            return new Outcome(epochs, seconds, backend.name());
        }
    }
}
