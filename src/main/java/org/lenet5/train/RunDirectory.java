package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.util.Version;
import org.lenet5.util.AtomicFiles;
import org.lenet5.util.Json;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's files: config.json, metrics.csv (rewritten whole after every epoch), summary.json and the checkpoint
 * model.lenet5. Every file is written atomically, so a crash leaves the previous version readable.
 */
public final class RunDirectory implements Trainer.EpochSink {

    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String MODEL = "model.lenet5";

    /** Checkpoint metadata keys of the trainer's position, for resume. */
    public static final String EPOCHS_DONE = "train.epochs_done";
    public static final String STEP = "train.step";

    private final Path dir;
    private final String dataset;
    private final List<EpochMetrics> metrics = new ArrayList<>();

    private RunDirectory(Path dir, String dataset) {
        this.dir = dir;
        this.dataset = dataset;
    }

    /**
     * Prepares a new run directory. Refuses one that already holds a run (nothing the user had is overwritten)
     * and one that cannot be written, before any training starts.
     */
    public static RunDirectory createNew(Path dir, String dataset) {
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw new UserException(dir + ": exists and is not a directory; choose another --out");
        for (String f : List.of(METRICS, MODEL, SUMMARY))
            if (Files.exists(dir.resolve(f)))
                throw new UserException(dir + " already holds a run (" + f + "); choose another --out or remove it");
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserException(dir + ": cannot write the run directory (" + AtomicFiles.describe(e) + ")");
        }
        return new RunDirectory(dir, dataset);
    }

    public Path path() { return dir; }

    public Path model() { return dir.resolve(MODEL); }

    public List<EpochMetrics> metrics() { return List.copyOf(metrics); }

    public void writeConfig(Map<String, Object> config) {
        write(CONFIG, () -> Json.write(dir.resolve(CONFIG), config));
    }

    @Override
    public void epochDone(EpochMetrics m, Trainer.TrainingState state, Backend backend) {
        float[] params = new float[backend.layout().size()];
        backend.getParameters(params);
        for (int i = 0; i < params.length; i++)
            if (!Float.isFinite(params[i]))
                throw new DivergedException(state.epochsDone(), state.step(), Float.NaN, 0,
                        "parameter " + backend.layout().tensorAt(i).name() + " is " + params[i]
                                + "; the last good checkpoint was kept");
        metrics.add(m);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.DATASET, dataset);
        meta.put(Checkpoint.LENET5_VERSION, Version.get());
        meta.put(EPOCHS_DONE, Integer.toString(state.epochsDone()));
        meta.put(STEP, Long.toString(state.step()));
        CheckpointFile.write(dir.resolve(MODEL), Checkpoint.capture(backend, true, meta));
        StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics e : metrics) csv.append(e.csvRow()).append('\n');
        write(METRICS, () -> AtomicFiles.writeString(dir.resolve(METRICS), csv.toString()));
    }

    public void writeSummary(Map<String, Object> summary) {
        write(SUMMARY, () -> Json.write(dir.resolve(SUMMARY), summary));
    }

    /** The summary's standard fields from the last epoch. */
    public static Map<String, Object> summary(TrainConfig c, String backend, List<EpochMetrics> all, double trainSeconds) {
        EpochMetrics last = all.get(all.size() - 1);
        double bestVal = all.stream().mapToDouble(EpochMetrics::validationAccuracy).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("test_accuracy", last.testAccuracy());
        s.put("test_loss", last.testLoss());
        s.put("validation_accuracy", Double.isNaN(last.validationAccuracy()) ? null : last.validationAccuracy());
        s.put("best_validation_accuracy", Double.isNaN(bestVal) ? null : bestVal);
        s.put("train_loss", last.trainLoss());
        s.put("train_accuracy", last.trainAccuracy());
        s.put("epochs", last.epoch());
        s.put("backend", backend);
        s.put("arch", c.arch().id());
        s.put("dataset", c.dataset());
        s.put("train_seconds", trainSeconds);
        s.put("seed", c.seed());
        s.put("batch_size", c.batchSize());
        s.put("lr", TrainConfig.decimal(c.lr()));
        s.put("optimizer", c.optimizer().kind().id());
        s.put("l2", TrainConfig.decimal(c.optimizer().l2()));
        s.put("lr_schedule", c.schedule().id());
        return s;
    }

    private interface IoAction { void run() throws IOException; }

    private void write(String name, IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UserException(dir.resolve(name) + ": cannot write (" + AtomicFiles.describe(e) + "); the previous version is kept");
        }
    }
}
