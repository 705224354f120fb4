package org.lenet5.cli;

import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.TrainTestData;
import org.lenet5.train.DataSplits;
import org.lenet5.train.DivergedException;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.RunDirectory;
import org.lenet5.train.StopRequest;
import org.lenet5.train.TrainConfig;
import org.lenet5.train.TrainingRun;
import org.lenet5.util.Plural;
import org.lenet5.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train LeNet-5 and write a run directory (config.json, metrics.csv, summary.json, model.lenet5).",
                "Ctrl-C finishes the current step, writes a checkpoint and says how to continue (--resume)."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--batch-size", defaultValue = "" + TrainConfig.DEFAULT_BATCH, description = "Images per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + TrainConfig.DEFAULT_LR, description = "Base learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--optimizer", defaultValue = TrainConfig.DEFAULT_OPTIMIZER, converter = Converters.Optimizer.class,
            description = "sgd, momentum, nesterov, adam or adamw (default: ${DEFAULT-VALUE})")
    OptimizerKind optimizer;

    @Option(names = "--l2", defaultValue = "" + TrainConfig.DEFAULT_L2,
            description = "L2 regulariser lambda: adds lambda*w to every gradient (adamw: decoupled decay) (default: ${DEFAULT-VALUE})")
    float l2;

    @Option(names = "--out", description = "Run directory (default: runs/<date>_<time>)")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
            description = "Also write the checkpoint every N steps, not only at the end of each epoch (default: epoch ends only)")
    long checkpointEvery;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the interrupted run in RUN_DIR from its checkpoint, with the settings in its config.json"
                    + " (other options are refused if they differ; --data-dir, --no-verify and --checkpoint-every may be given)")
    Path resume;

    /** Options that may differ on --resume: where the data are and whether to hash them, how often to save. */
    private static final Set<String> FREE_ON_RESUME = Set.of("--resume", "--data-dir", "--no-verify", "--checkpoint-every", "--debug");

    /** Each result-changing option and its config.json key. */
    private static final Map<String, String> CONFIG_KEYS = Map.ofEntries(
            Map.entry("--arch", "arch"), Map.entry("--dataset", "dataset"), Map.entry("--epochs", "epochs"),
            Map.entry("--batch-size", "batch_size"), Map.entry("--lr", "lr"), Map.entry("--optimizer", "optimizer"),
            Map.entry("--l2", "l2"), Map.entry("--lr-schedule", "lr_schedule"), Map.entry("--seed", "seed"),
            Map.entry("--limit", "limit"), Map.entry("--validation", "validation"), Map.entry("--threads", "threads"),
            Map.entry("--deterministic", "deterministic"), Map.entry("--backend", "backend"));

    @Override
    public Integer call() {
        if (checkpointEvery < 0) throw new ParameterException(spec.commandLine(), "--checkpoint-every must be zero or positive");
        if (out != null && out.toString().isBlank()) throw new ParameterException(spec.commandLine(), "--out needs a directory name");
        CommonTrainingOptions c = common;
        int t = c.threads(spec.commandLine());
        TrainConfig config;
        try {
            config = new TrainConfig(c.arch, c.dataset.id(), c.epochs, batchSize, lr, OptimizerSettings.of(optimizer, l2),
                    c.schedule, c.seed, c.limit, c.validation, new BackendOptions(c.backend, t, c.deterministic));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Backends.requireAvailable(c.backend);
        if (resume != null) return resume(config);
        Path runDir = out != null ? out : CommonTrainingOptions.timestampedDir("runs");
        RunDirectory dir = RunDirectory.createNew(runDir, c.dataset.id());
        try (dir) {
            TrainTestData files = c.load(c.dataset);
            DataSplits splits = c.splits(files, spec.commandLine());
            stdout().printf(Locale.ROOT, "lenet5 train: %s on %s (%,d train, %,d validation, %,d test images), %s lr %s %s, batch %d, %s, seed %d%n",
                    c.arch.id(), c.dataset.id(), splits.train().count(), splits.validation().count(), splits.test().count(),
                    optimizer.id(), Float.toString(lr), c.schedule.id(), batchSize, epochCount(c.epochs), c.seed);
            return train(dir, stop -> TrainingRun.run(config, splits, dir, new ConsoleTrainingListener(stdout()),
                    System.err, stop, checkpointEvery));
        }
    }

    /** "1 epoch", "12 epochs". */
    static String epochCount(int epochs) {
        return epochs + (epochs == 1 ? " epoch" : " epochs");
    }

    private int resume(TrainConfig given) {
        if (out != null)
            throw new ParameterException(spec.commandLine(), "--out and --resume cannot be combined: a resumed run stays in its directory");
        RunDirectory dir = RunDirectory.openForResume(resume);
        try (dir) {
            RunDirectory.Stored stored = dir.readStored();
            refuseChangedSettings(given, stored);
            TrainConfig c = stored.config();
            long every = spec.commandLine().getParseResult().hasMatchedOption("--checkpoint-every")
                    ? checkpointEvery : stored.checkpointEvery();
            DatasetKind kind = DatasetKind.parse(c.dataset());
            TrainTestData files = common.load(kind);
            DataSplits splits = DataSplits.of(files.train(), files.test(), c.validation(), c.limit());
            stdout().printf(Locale.ROOT, "lenet5 train: resuming %s at %s: %s on %s (%,d train images), %s lr %s %s, batch %d, %s, seed %d%n",
                    dir.path(), stored.checkpoint() == null ? "the start (no checkpoint was written)" : RunDirectory.describe(stored.state()),
                    c.arch().id(), c.dataset(), splits.train().count(), c.optimizer().kind().id(), Float.toString(c.lr()),
                    c.schedule().id(), c.batchSize(), epochCount(c.epochs()), c.seed());
            return train(dir, stop -> TrainingRun.resume(dir, stored, splits, new ConsoleTrainingListener(stdout()),
                    System.err, stop, every));
        }
    }

    /** A resumed run keeps its settings: a result-changing option that differs from config.json is a usage error. */
    private void refuseChangedSettings(TrainConfig given, RunDirectory.Stored stored) {
        ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, Object> mine = given.toMap(), theirs = stored.config().toMap();
        Path configFile = resume.resolve(RunDirectory.CONFIG);
        for (OptionSpec o : parsed.matchedOptions()) {
            String name = o.longestName();
            if (FREE_ON_RESUME.contains(name) || o.usageHelp() || o.versionHelp()) continue;
            String key = CONFIG_KEYS.get(name);
            if (key == null) throw new IllegalStateException(name + " has no rule for --resume");
            Object a = mine.get(key), b = theirs.get(key);
            boolean same = Objects.equals(a, b) || (key.equals("backend") && String.valueOf(a).equals(stored.backendUsed()));
            if (!same)
                throw new ParameterException(spec.commandLine(), name + " " + a + " differs from the run's " + key + " " + b
                        + " (" + configFile + "); --resume continues a run with its own settings (only --data-dir,"
                        + " --no-verify and --checkpoint-every may change); to train differently, start a new run");
        }
    }

    /** Runs the training with Ctrl-C handling; the exit code and the last lines for each way it can end. */
    private int train(RunDirectory dir, Function<StopRequest, TrainingRun.Outcome> body) {
        StopRequest stop = new StopRequest();
        TrainingRun.Outcome o;
        try (InterruptHandler ignored = InterruptHandler.install(stop, stderr())) {
            o = body.apply(stop);
        } catch (DivergedException e) {
            throw new UserException(e.getMessage() + "; " + dir.savedCheckpointNote(), e);
        }
        if (o.stopped()) {
            stdout().flush();
            stderr().printf(Locale.ROOT, "lenet5 train: stopped (%s) after %s; checkpoint %s%ncontinue with: lenet5 train --resume %s%n",
                    stop.reason(), RunDirectory.describe(o.state()), dir.model(), dir.path());
            stderr().flush();
            return InterruptHandler.exitCode(stop.reason());
        }
        var last = o.last();
        stdout().printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) after %s on %s in %.1f s%nrun directory: %s%n",
                100 * last.testAccuracy(), last.testLoss(), Plural.count(last.epoch(), "epoch"), o.backend(),
                o.trainSeconds(), dir.path());
        return 0;
    }

    /** Results go through picocli's writers (tests capture them), diagnostics to stderr. */
    private PrintWriter stdout() { return spec.commandLine().getOut(); }

    private PrintWriter stderr() { return spec.commandLine().getErr(); }
}
