package org.lenet5.train;

import org.lenet5.backend.BackendOptions;
import org.lenet5.model.Architecture;

/**
 * Everything that decides a training run's result. Stored as config.json in the run directory.
 *
 * @param arch         network variant
 * @param dataset      dataset id ("mnist", "fashion-mnist")
 * @param epochs       passes over the training images
 * @param batchSize    images per optimizer step (the last batch of an epoch may be smaller)
 * @param lr           base learning rate
 * @param optimizer    update rule and L2
 * @param schedule     learning-rate schedule
 * @param seed         seeds initialisation and shuffling
 * @param limit        use only the first N training images (0 = all)
 * @param validation   images held out from the end of the training file for validation (0 = none)
 * @param backend      which backend and its threads
 */
public record TrainConfig(Architecture arch, String dataset, int epochs, int batchSize, float lr,
                          OptimizerSettings optimizer, LrSchedule schedule, long seed, int limit, int validation,
                          BackendOptions backend) {

    /** Defaults chosen by the experiments in README.md ("How the defaults were chosen"). */
    public static final int DEFAULT_EPOCHS = 12;
    public static final int DEFAULT_BATCH = 32;
    public static final float DEFAULT_LR = 1e-3f;
    public static final float DEFAULT_L2 = 0f;
    public static final int DEFAULT_VALIDATION = 5000;
    /** As command-line ids, so picocli option annotations can use them. */
    public static final String DEFAULT_OPTIMIZER = "adam";
    public static final String DEFAULT_SCHEDULE = "cosine";
    public static final long DEFAULT_SEED = 1;

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1 (got " + epochs + ")");
        if (batchSize < 1 || batchSize > 65536)
            throw new IllegalArgumentException("--batch-size must be between 1 and 65536 (got " + batchSize + ")");
        if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("--lr must be a positive number (got " + lr + ")");
        if (!(optimizer.l2() >= 0) || !Float.isFinite(optimizer.l2()))
            throw new IllegalArgumentException("--l2 must be zero or positive (got " + optimizer.l2() + ")");
        if (limit < 0) throw new IllegalArgumentException("--limit must be zero (all) or positive (got " + limit + ")");
        if (validation < 0) throw new IllegalArgumentException("--validation must be zero or positive (got " + validation + ")");
    }

    /** The fields of config.json, in a fixed order. */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("arch", arch.id());
        m.put("dataset", dataset);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("lr", decimal(lr));
        m.put("lr_schedule", schedule.id());
        m.put("optimizer", optimizer.kind().id());
        m.put("l2", decimal(optimizer.l2()));
        m.put("momentum", decimal(optimizer.momentum()));
        m.put("beta1", decimal(optimizer.beta1()));
        m.put("beta2", decimal(optimizer.beta2()));
        m.put("epsilon", decimal(optimizer.epsilon()));
        m.put("seed", seed);
        m.put("limit", limit);
        m.put("validation", validation);
        m.put("backend", backend.kind().id());
        m.put("threads", backend.threads());
        m.put("deterministic", backend.deterministic());
        return m;
    }

    /** A float as the decimal a person typed (1e-3, not 0.0010000000474974513). */
    public static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }
}
