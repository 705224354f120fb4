package org.lenet5.cli;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.data.DataPaths;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.HashCheck;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.model.ModelSpec;
import org.lenet5.train.DataSplits;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.TrainConfig;
import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** The training options that `train` and `sweep` share (a picocli mixin), with their defaults in one place. */
final class CommonTrainingOptions {

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

    @Option(names = "--no-verify",
            description = "Skip the SHA-256 check of the dataset files (for your own data in IDX form under --data-dir)")
    boolean noVerify;

    @Option(names = "--epochs", defaultValue = "" + TrainConfig.DEFAULT_EPOCHS, description = "Epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--lr-schedule", defaultValue = TrainConfig.DEFAULT_SCHEDULE, converter = Converters.Schedule.class,
            description = "constant, step or cosine (default: ${DEFAULT-VALUE})")
    LrSchedule schedule;

    @Option(names = "--seed", defaultValue = "" + TrainConfig.DEFAULT_SEED,
            description = "Seeds initialisation and shuffling; for a sweep the first of --seeds seeds and the random search (default: ${DEFAULT-VALUE})")
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

    /** --threads, or all cores; a usage error below 1, a notice above the cores there are. */
    int threads(CommandLine cl) {
        int t = threads == null ? BackendOptions.defaultThreads() : threads;
        if (t < 1) throw new CommandLine.ParameterException(cl, "--threads must be at least 1 (got " + t + ")");
        int cores = BackendOptions.defaultThreads();
        if (t > cores)
            cl.getErr().println("notice: --threads " + t + " is more than the " + cores + " cores here; the threads will"
                    + " take turns on them, which is usually slower than --threads " + cores);
        return t;
    }

    /**
     * The splits of these options, with a notice when --limit asks for more images than there are. Images that --arch
     * cannot take (custom data) are refused here, where the directory they came from is known.
     */
    DataSplits splits(TrainTestData files, CommandLine cl) {
        int rows = files.train().rows(), cols = files.train().cols(), pad = arch.padding();
        int min = ModelSpec.MIN_SIDE - 2 * pad, max = ModelSpec.MAX_SIDE - 2 * pad;
        if (rows < min || cols < min || rows > max || cols > max)
            throw new UserException(DataPaths.datasetDir(dataRoot(), dataset) + " holds " + rows + "x" + cols
                    + " images; --arch " + arch.id() + " takes images of " + min + " to " + max + " pixels a side"
                    + (pad > 0 ? " (it pads them by " + pad + ")" : ""));
        DataSplits s = DataSplits.of(files.train(), files.test(), validation, limit);
        if (limit > s.train().count())
            cl.getErr().println("notice: --limit " + limit + " is more than the " + s.train().count()
                    + " training images left after the validation split; training on all of them");
        return s;
    }

    Path dataRoot() { return dataDir != null ? dataDir : DataPaths.defaultDataDir(); }

    /** The dataset's training and test files (fetched on first use), checked unless --no-verify. */
    TrainTestData load(DatasetKind kind) {
        return MnistLoader.load(kind, dataRoot(), true, noVerify ? HashCheck.SKIP : HashCheck.VERIFY, System.err);
    }

    /** root/<date>_<time>, with a suffix when that exists already. */
    static Path timestampedDir(String root) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        Path p = Path.of(root, stamp);
        for (int i = 2; Files.exists(p); i++) p = Path.of(root, stamp + "-" + i);
        return p;
    }
}
