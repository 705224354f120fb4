package org.lenet5.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.lenet5.backend.Backend;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.util.AtomicFiles;
import org.lenet5.util.DirectoryLock;
import org.lenet5.util.Json;
import org.lenet5.util.Plural;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;
import org.lenet5.util.Version;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's files: config.json, metrics.csv (rewritten whole after every epoch), summary.json and the checkpoint
 * model.lenet5. Every file is written atomically, so a crash leaves the previous version readable.
 *
 * <p>The directory is locked ({@link DirectoryLock}) from the moment it is opened until {@link #close()}, so two
 * trainings never write the same run. At the end of an epoch metrics.csv is written BEFORE the checkpoint: a kill
 * between the two leaves a metrics row whose epoch has no checkpoint, and resume drops every row past the
 * checkpoint's epoch (the reverse order would lose a row for good). The checkpoint holds the trainer's position
 * (see the TRAIN_* metadata keys), so it alone says where a resumed run continues.
 */
public final class RunDirectory implements Trainer.EpochSink, AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String MODEL = "model.lenet5";

    /** Checkpoint metadata keys of the trainer's position, for resume. */
    public static final String EPOCHS_DONE = "train.epochs_done";
    public static final String STEP = "train.step";
    /** The run's seed: with the epoch number it determines each epoch's shuffle. */
    public static final String SEED = "train.seed";
    /** The state (hex) of the shuffle generator of the epoch in progress or next, before it shuffles; a check. */
    public static final String SHUFFLE_STATE = "train.shuffle_state";
    /** The epoch in progress: its training loss sum (exact decimal of a double) and correct count so far. */
    public static final String EPOCH_LOSS_SUM = "train.epoch_loss_sum";
    public static final String EPOCH_CORRECT = "train.epoch_correct";

    /** config.json fields beyond {@link TrainConfig#toMap()}. */
    public static final String BACKEND_USED = "backend_used";
    public static final String TRAIN_IMAGES = "train_images";
    public static final String CHECKPOINT_EVERY = "checkpoint_every";

    private final Path dir;
    private final String dataset;
    private final DirectoryLock lock;
    private final List<EpochMetrics> metrics = new ArrayList<>();
    private final List<String> csvRows = new ArrayList<>();   // metrics.csv rows, kept as written
    private Long seed;                      // known once the config is written or read
    private Trainer.TrainingState saved;    // the position of the checkpoint on disk; null when there is none
    private boolean createdHere;            // this run made the directory (so may remove it again if left empty)

    private RunDirectory(Path dir, String dataset, DirectoryLock lock) {
        this.dir = dir;
        this.dataset = dataset;
        this.lock = lock;
    }

    /**
     * Prepares a new run directory and locks it. Refuses one that already holds a run (nothing the user had is
     * overwritten), one in use by another training, and one that cannot be written, before any training starts.
     */
    public static RunDirectory createNew(Path dir, String dataset) {
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw new UserException(dir + ": exists and is not a directory; choose another --out");
        boolean existed = Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new UserException(dir + ": cannot write the run directory (" + AtomicFiles.describe(e) + ")");
        }
        boolean lockExisted = Files.exists(dir.resolve(DirectoryLock.FILE));
        DirectoryLock lock = DirectoryLock.acquire(dir, "lenet5 train");
        try {
            refuseFilesARunWouldOverwrite(dir, lockExisted);
            prepareForWriting(dir);
        } catch (RuntimeException e) {
            lock.close();
            if (!lockExisted) deleteQuietly(dir.resolve(DirectoryLock.FILE));   // a refused directory keeps no trace
            throw e;
        }
        RunDirectory run = new RunDirectory(dir, dataset, lock);
        run.createdHere = !existed;
        return run;
    }

    /**
     * Refuses a directory holding any file a new run writes (config.json, metrics.csv, summary.json,
     * model.lenet5): an earlier run (config.json and the lock file lenet5 train leaves; the message says how to
     * resume it), or else files of the user's that happen to have those names.
     */
    private static void refuseFilesARunWouldOverwrite(Path dir, boolean lockExisted) {
        boolean run = lockExisted && Files.exists(dir.resolve(CONFIG));
        for (String f : List.of(METRICS, MODEL, SUMMARY, CONFIG)) {
            if (!Files.exists(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) continue;
            if (run)
                throw new UserException(dir + " already holds a run (" + f + "); choose another --out, remove it,"
                        + " or continue it with: lenet5 train --resume " + dir);
            throw new UserException(dir.resolve(f) + " exists and a new run would overwrite it; choose a new or empty --out");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | SecurityException e) {
            // The empty lock file stays; it holds nothing of the user's.
        }
    }

    /**
     * What a run directory holds for resume.
     *
     * @param config          the run's configuration (config.json)
     * @param backendUsed     the backend that ran it ("cpu", "reference", ...)
     * @param trainImages     training images it was started with (-1 when config.json does not say)
     * @param checkpointEvery its --checkpoint-every (0: epoch ends only)
     * @param checkpoint      the checkpoint to continue from; null when the run stopped before writing one
     * @param state           the checkpoint's position (START without a checkpoint)
     * @param finished        summary.json exists: the run completed
     */
    public record Stored(TrainConfig config, String backendUsed, int trainImages, long checkpointEvery,
                         Checkpoint checkpoint, Trainer.TrainingState state, boolean finished) {}

    /**
     * Opens an existing run directory to continue it: locks it, reads config.json, the checkpoint and metrics.csv,
     * and rewrites metrics.csv without rows past the checkpoint's epoch. Every problem is one line naming the file.
     */
    public static RunDirectory openForResume(Path dir) {
        if (!Files.exists(dir))
            throw new UserException(dir + " does not exist; --resume takes the run directory of an earlier lenet5 train");
        if (!Files.isDirectory(dir)) throw new UserException(dir + " is not a directory; --resume takes a run directory");
        if (!Files.isRegularFile(dir.resolve(CONFIG)))
            throw new UserException(dir + " has no " + CONFIG + "; it is not a lenet5 run directory");
        DirectoryLock lock = DirectoryLock.acquire(dir, "lenet5 train");
        try {
            prepareForWriting(dir);
            JsonElement json;
            try {
                json = Json.read(dir.resolve(CONFIG));
            } catch (IOException e) {
                throw new UserException(dir.resolve(CONFIG) + ": cannot read (" + AtomicFiles.describe(e) + ")");
            }
            if (!json.isJsonObject()) throw new UserException(dir.resolve(CONFIG) + ": not a JSON object");
            String dataset = json.getAsJsonObject().has("dataset") && json.getAsJsonObject().get("dataset").isJsonPrimitive()
                    ? json.getAsJsonObject().get("dataset").getAsString() : "";
            return new RunDirectory(dir, dataset, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Reads what {@link #openForResume} opened (config, checkpoint, metrics) and makes metrics.csv agree with it. */
    public Stored readStored() {
        Path configFile = dir.resolve(CONFIG);
        JsonObject json;
        try {
            json = Json.read(configFile).getAsJsonObject();
        } catch (IOException e) {
            throw new UserException(configFile + ": cannot read (" + AtomicFiles.describe(e) + ")");
        }
        TrainConfig config = TrainConfig.fromJson(json, configFile);
        TrainConfig.StoredFields f = new TrainConfig.StoredFields(json, configFile);
        String backendUsed = json.has(BACKEND_USED) ? f.text(BACKEND_USED) : config.backend().kind().id();
        int trainImages = json.has(TRAIN_IMAGES) ? f.i32(TRAIN_IMAGES) : -1;
        long every = json.has(CHECKPOINT_EVERY) ? f.i64(CHECKPOINT_EVERY) : 0;
        seed = config.seed();

        Checkpoint checkpoint = null;
        Trainer.TrainingState state = Trainer.TrainingState.START;
        if (Files.exists(model())) {
            checkpoint = CheckpointFile.read(model());
            state = trainingState(checkpoint, config, model());
            saved = state;
        }
        boolean finished = Files.exists(dir.resolve(SUMMARY));
        if (finished && state.epochsDone() == config.epochs())
            throw new UserException(dir + ": the run already finished its " + config.epochs() + " epochs (" + SUMMARY
                    + "); there is nothing to resume");
        readMetrics(state.epochsDone());
        return new Stored(config, backendUsed, trainImages, every, checkpoint, state, finished);
    }

    /** The trainer's position recorded in a checkpoint, checked against the run's config. */
    static Trainer.TrainingState trainingState(Checkpoint c, TrainConfig config, Path file) {
        String[] keys = {EPOCHS_DONE, STEP, SEED, SHUFFLE_STATE, EPOCH_LOSS_SUM, EPOCH_CORRECT};
        for (String k : keys)
            if (c.get(k) == null)
                throw new UserException(file + " has no " + k + " entry; it is not a checkpoint lenet5 train can resume from");
        int epochs = (int) number(c, EPOCHS_DONE, file, s -> (long) Integer.parseInt(s));
        long step = number(c, STEP, file, Long::parseLong);
        long seedInFile = number(c, SEED, file, Long::parseLong);
        long shuffle = number(c, SHUFFLE_STATE, file, s -> Long.parseUnsignedLong(s, 16));
        long correct = number(c, EPOCH_CORRECT, file, Long::parseLong);
        double lossSum;
        try {
            lossSum = Double.parseDouble(c.get(EPOCH_LOSS_SUM));
        } catch (NumberFormatException e) {
            throw new UserException(file + ": " + EPOCH_LOSS_SUM + " is " + quoted(c.get(EPOCH_LOSS_SUM)) + ", not a number");
        }
        if (seedInFile != config.seed())
            throw new UserException(file + " was trained with seed " + seedInFile + " but " + CONFIG + " says seed "
                    + config.seed() + "; the two files are not from the same run");
        if (shuffle != shuffleState(seedInFile, epochs))
            throw new UserException(file + ": its shuffle generator state does not follow from seed " + seedInFile
                    + " and epoch " + epochs + "; the file was not written by this version of lenet5 train");
        if (!c.spec().arch().equals(config.arch()))
            throw new UserException(file + " holds a " + c.spec() + " model but " + CONFIG + " says --arch "
                    + config.arch().id() + "; the two files are not from the same run");
        if (c.get(Checkpoint.DATASET) != null && !c.get(Checkpoint.DATASET).equals(config.dataset()))
            throw new UserException(file + " was trained on " + quoted(c.get(Checkpoint.DATASET)) + " but " + CONFIG
                    + " says --dataset " + config.dataset());
        if (epochs < 0 || step < 0 || correct < 0 || !Double.isFinite(lossSum) || lossSum < 0)
            throw new UserException(file + ": impossible training position (epoch " + epochs + ", step " + step + ")");
        return new Trainer.TrainingState(epochs, step, lossSum, correct);
    }

    private static long number(Checkpoint c, String key, Path file, java.util.function.ToLongFunction<String> parse) {
        String v = c.get(key);
        try {
            return parse.applyAsLong(v);
        } catch (NumberFormatException e) {
            throw new UserException(file + ": " + key + " is " + quoted(v) + ", not a number");
        }
    }

    /** A value from a file, safe and short enough for a one-line message. */
    private static String quoted(String v) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < v.length() && i < 40; i++) sb.append(Character.isISOControl(v.charAt(i)) ? '?' : v.charAt(i));
        return sb.append(v.length() > 40 ? "...'" : "'").toString();
    }

    /** The shuffle generator's state for a 0-based epoch, before it shuffles (recorded as a check). */
    static long shuffleState(long seed, int epoch) {
        return SeededRandom.derive(seed, Trainer.SHUFFLE_STREAM, epoch).state();
    }

    /** Keeps metrics.csv rows 1..epochs (dropping any row whose epoch has no checkpoint) and rewrites the file. */
    private void readMetrics(int epochs) {
        Path file = dir.resolve(METRICS);
        List<String> lines = List.of();
        if (Files.exists(file)) {
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UserException(file + ": cannot read (" + AtomicFiles.describe(e) + ")");
            }
            if (lines.isEmpty() || !lines.get(0).equals(EpochMetrics.CSV_HEADER))
                throw new UserException(file + ": the first line is not the metrics.csv header (" + EpochMetrics.CSV_HEADER + ")");
        }
        int rows = Math.max(0, lines.size() - 1);
        if (rows < epochs)
            throw new UserException(file + " has " + Plural.count(rows, "epoch row") + " but the checkpoint " + model()
                    + " is after epoch " + epochs + "; the metrics of the missing epochs cannot be recovered");
        for (int i = 1; i <= epochs; i++) {
            EpochMetrics m = EpochMetrics.parseCsvRow(lines.get(i), file + " line " + (i + 1));
            if (m.epoch() != i) throw new UserException(file + " line " + (i + 1) + " is epoch " + m.epoch() + ", not " + i);
            metrics.add(m);
            csvRows.add(lines.get(i));
        }
        if (rows != epochs || !Files.exists(file)) writeMetrics();
    }

    /** Removes temporary files an earlier process left when it died in the middle of an atomic write. */
    private static void prepareForWriting(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                boolean ours = List.of(CONFIG, METRICS, SUMMARY, MODEL).stream().anyMatch(f -> name.startsWith("." + f + "."));
                if (ours && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) Files.delete(p);
            }
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserException(dir + ": cannot write the run directory (" + AtomicFiles.describe(e) + ")");
        }
    }

    public Path path() { return dir; }

    public Path model() { return dir.resolve(MODEL); }

    /** Every epoch's metrics so far (after a resume: the earlier ones too). */
    public List<EpochMetrics> metrics() { return List.copyOf(metrics); }

    /** The position of the checkpoint on disk, or null when none has been written. */
    public Trainer.TrainingState savedState() { return saved; }

    /** What a failure message says about the checkpoint on disk. */
    public String savedCheckpointNote() {
        return saved == null ? "no checkpoint was written"
                : "the last good checkpoint (" + describe(saved) + ") is kept in " + model();
    }

    /** "step 376 (2 epochs done)": a checkpoint's position in words. */
    public static String describe(Trainer.TrainingState s) {
        return "step " + s.step() + " (" + s.epochsDone() + (s.epochsDone() == 1 ? " epoch" : " epochs") + " done)";
    }

    public void writeConfig(TrainConfig config, Map<String, Object> fields) {
        seed = config.seed();
        write(CONFIG, () -> Json.write(dir.resolve(CONFIG), fields));
    }

    @Override
    public void epochDone(EpochMetrics m, Trainer.TrainingState state, Backend backend) {
        metrics.add(m);
        csvRows.add(m.csvRow());
        writeMetrics();           // first: see the class comment
        writeCheckpoint(state, backend);
    }

    @Override
    public void checkpoint(Trainer.TrainingState state, Backend backend) {
        writeCheckpoint(state, backend);
    }

    private void writeMetrics() {
        StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (String row : csvRows) csv.append(row).append('\n');
        write(METRICS, () -> AtomicFiles.writeString(dir.resolve(METRICS), csv.toString()));
    }

    private void writeCheckpoint(Trainer.TrainingState state, Backend backend) {
        if (seed == null) throw new IllegalStateException("the run's config must be written before a checkpoint");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.DATASET, dataset);
        meta.put(Checkpoint.LENET5_VERSION, Version.get());
        meta.put(EPOCHS_DONE, Integer.toString(state.epochsDone()));
        meta.put(STEP, Long.toString(state.step()));
        meta.put(SEED, Long.toString(seed));
        meta.put(SHUFFLE_STATE, String.format("%016x", shuffleState(seed, state.epochsDone())));
        meta.put(EPOCH_LOSS_SUM, Double.toString(state.epochLossSum()));
        meta.put(EPOCH_CORRECT, Long.toString(state.epochCorrect()));
        try {
            CheckpointFile.write(model(), Checkpoint.capture(backend, true, meta));
        } catch (UserException e) {
            throw new UserException(e.getMessage() + "; " + (saved == null ? "no checkpoint was written before"
                    : "the previous checkpoint (" + describe(saved) + ") is kept"), e);
        }
        saved = state;
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

    /** Releases the directory's lock (idempotent); the files stay. */
    @Override
    public void close() {
        lock.close();
        // A run that failed before writing anything (no GPU, bad data, a usage problem found late) leaves no empty
        // directory behind, only if this run created it.
        if (createdHere) {
            try (var entries = Files.list(dir)) {
                if (entries.allMatch(p -> p.getFileName().toString().equals(DirectoryLock.FILE))) {
                    Files.deleteIfExists(dir.resolve(DirectoryLock.FILE));
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // Leaving an empty directory is harmless; the error that ended the run is the one to report.
            }
        }
    }

    private interface IoAction { void run() throws IOException; }

    private void write(String name, IoAction action) {
        boolean existed = Files.exists(dir.resolve(name));
        try {
            action.run();
        } catch (IOException e) {
            // Every write goes to a temporary file renamed over the old one, so an earlier version, if any, is intact.
            throw new UserException(dir.resolve(name) + ": cannot write (" + AtomicFiles.describe(e) + ")"
                    + (existed ? "; the previous version is kept" : ""));
        }
    }
}
