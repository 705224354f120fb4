package org.lenet5.cli;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.data.DataPaths;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.HashCheck;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.train.DataSplits;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.RunDirectory;
import org.lenet5.train.TrainConfig;
import org.lenet5.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train LeNet-5 and write a run directory (config.json, metrics.csv, summary.json, model.lenet5).")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "auto", converter = Converters.Backend.class,
            description = "auto, cpu, reference or cuda (default: ${DEFAULT-VALUE}; auto = cuda if a GPU loads, else cpu)")
    BackendKind backend;

    @Option(names = "--arch", defaultValue = "flux", converter = Converters.Arch.class,
            description = "flux (ReLU, max-pool, 28x28) or classic (1998: scaled tanh, average pool, 32x32) (default: ${DEFAULT-VALUE})")
    Architecture arch;

    @Option(names = "--dataset", defaultValue = "mnist", converter = DatasetKindConverter.class,
            description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE})")
    DatasetKind dataset;

    @Option(names = "--data-dir", description = "Dataset root (default: $LENET5_DATA_DIR or ./data)")
    Path dataDir;

    @Option(names = "--epochs", defaultValue = "" + TrainConfig.DEFAULT_EPOCHS, description = "Epochs (default: ${DEFAULT-VALUE})")
    int epochs;

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

    @Option(names = "--lr-schedule", defaultValue = TrainConfig.DEFAULT_SCHEDULE, converter = Converters.Schedule.class,
            description = "constant, step or cosine (default: ${DEFAULT-VALUE})")
    LrSchedule schedule;

    @Option(names = "--seed", defaultValue = "" + TrainConfig.DEFAULT_SEED, description = "Seeds initialisation and shuffling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N training images only (default: all)")
    int limit;

    @Option(names = "--validation", defaultValue = "" + TrainConfig.DEFAULT_VALIDATION,
            description = "Hold out the last N training images for validation (default: ${DEFAULT-VALUE})")
    int validation;

    @Option(names = "--threads", description = "CPU threads (default: all cores)")
    Integer threads;

    @Option(names = "--deterministic", description = "cuda: only deterministic cuDNN algorithms")
    boolean deterministic;

    @Option(names = "--out", description = "Run directory (default: runs/<date>-<time>)")
    Path out;

    @Option(names = "--no-verify",
            description = "Skip the SHA-256 check of the dataset files (for your own data in IDX form under --data-dir)")
    boolean noVerify;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        int t = threads == null ? BackendOptions.defaultThreads() : threads;
        if (t < 1) throw new ParameterException(spec.commandLine(), "--threads must be at least 1 (got " + t + ")");
        TrainConfig config;
        try {
            config = new TrainConfig(arch, dataset.id(), epochs, batchSize, lr, OptimizerSettings.of(optimizer, l2),
                    schedule, seed, limit, validation, new BackendOptions(backend, t, deterministic));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path runDir = out != null ? out : defaultRunDir();
        RunDirectory dir = RunDirectory.createNew(runDir, dataset.id());
        TrainTestData files = MnistLoader.load(dataset, dataDir != null ? dataDir : DataPaths.defaultDataDir(), true,
                noVerify ? HashCheck.SKIP : HashCheck.VERIFY, System.err);
        DataSplits splits = DataSplits.of(files.train(), files.test(), validation, limit);
        stdout.printf(Locale.ROOT, "lenet5 train: %s on %s (%,d train, %,d validation, %,d test images), %s lr %s %s, batch %d, %d epochs, seed %d%n",
                arch.id(), dataset.id(), splits.train().count(), splits.validation().count(), splits.test().count(),
                optimizer.id(), Float.toString(lr), schedule.id(), batchSize, epochs, seed);
        TrainingRun.Outcome o = TrainingRun.run(config, splits, dir, new ConsoleTrainingListener(stdout), System.err);
        var last = o.last();
        stdout.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) after %d epochs on %s in %.1f s%nrun directory: %s%n",
                100 * last.testAccuracy(), last.testLoss(), last.epoch(), o.backend(), o.trainSeconds(), dir.path());
        return 0;
    }

    static Path defaultRunDir() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        Path p = Path.of("runs", stamp);
        for (int i = 2; java.nio.file.Files.exists(p); i++) p = Path.of("runs", stamp + "-" + i);
        return p;
    }
}
