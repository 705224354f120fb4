package org.lenet5.cli;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.data.DataPaths;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.sweep.Environment;
import org.lenet5.sweep.FixedSettings;
import org.lenet5.sweep.SearchMode;
import org.lenet5.sweep.SearchSpace;
import org.lenet5.sweep.SearchSpaceParser;
import org.lenet5.sweep.Sweep;
import org.lenet5.sweep.TrialSettings;
import org.lenet5.train.DataSplits;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.TrainConfig;
import org.lenet5.util.BuildInfo;
import org.lenet5.util.GpuProbe;
import org.lenet5.util.MachineInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Tune batch size, learning rate, L2 and optimizer: train one run per configuration and seed, choose by "
                        + "validation accuracy (mean over seeds; the test set is reported, never used to choose), and write "
                        + "results.csv, report.md and a self-contained report.html with charts.",
                "Values are comma lists (--lr 3e-4,1e-3). With --search random, --lr and --l2 also take MIN:MAX "
                        + "(log-uniform, three significant digits). 'best' takes the value of the best configuration "
                        + "already finished in --out, for a second stage: --batch-size best --l2 1e-2,1e-4,1e-6.",
                "Started again with the same --out, a sweep keeps its finished trials and runs only the rest; the "
                        + "report covers every trial in the directory."})
public final class SweepCommand implements Callable<Integer> {

    @Option(names = "--batch-size", defaultValue = "" + TrainConfig.DEFAULT_BATCH,
            description = "Batch sizes, e.g. 32,64,128 (default: ${DEFAULT-VALUE})")
    String batchSizes;

    @Option(names = "--lr", defaultValue = "" + TrainConfig.DEFAULT_LR,
            description = "Learning rates, e.g. 3e-4,1e-3 (random search: also 1e-4:1e-2) (default: ${DEFAULT-VALUE})")
    String lrs;

    @Option(names = "--l2", defaultValue = "" + TrainConfig.DEFAULT_L2,
            description = "L2 lambdas, e.g. 0,1e-6,1e-4 (random search: also 1e-6:1e-2) (default: ${DEFAULT-VALUE})")
    String l2s;

    @Option(names = "--optimizer", defaultValue = TrainConfig.DEFAULT_OPTIMIZER,
            description = "Optimizers from sgd, momentum, nesterov, adam, adamw, e.g. adam,sgd (default: ${DEFAULT-VALUE})")
    String optimizers;

    @Option(names = "--search", defaultValue = "grid", converter = SearchModeConverter.class,
            description = "grid (every combination) or random (--trials configurations drawn with --seed) (default: ${DEFAULT-VALUE})")
    SearchMode search;

    @Option(names = "--trials", description = "Configurations to draw (random search)")
    Integer trials;

    @Option(names = "--seeds", defaultValue = "1",
            description = "Seeds per configuration: --seed, --seed + 1, ... (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--parallel", defaultValue = "1",
            description = "Trials at once on CPU backends, the threads split between them (a GPU runs trials one after another) (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--out", description = "Sweep directory; the same one again continues the sweep (default: sweeps/<date>-<time>)")
    Path out;

    @Option(names = "--backend", defaultValue = "auto", converter = Converters.Backend.class,
            description = "auto, cpu, reference or cuda (default: ${DEFAULT-VALUE})")
    BackendKind backend;

    @Option(names = "--arch", defaultValue = "flux", converter = Converters.Arch.class,
            description = "flux or classic (default: ${DEFAULT-VALUE})")
    Architecture arch;

    @Option(names = "--dataset", defaultValue = "mnist", converter = DatasetKindConverter.class,
            description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE})")
    DatasetKind dataset;

    @Option(names = "--data-dir", description = "Dataset root (default: $LENET5_DATA_DIR or ./data)")
    Path dataDir;

    @Option(names = "--epochs", defaultValue = "" + TrainConfig.DEFAULT_EPOCHS, description = "Epochs of every trial (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--lr-schedule", defaultValue = TrainConfig.DEFAULT_SCHEDULE, converter = Converters.Schedule.class,
            description = "constant, step or cosine (default: ${DEFAULT-VALUE})")
    LrSchedule schedule;

    @Option(names = "--seed", defaultValue = "1", description = "First seed; also seeds the random search (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N training images only (default: all)")
    int limit;

    @Option(names = "--validation", defaultValue = "" + TrainConfig.DEFAULT_VALIDATION,
            description = "Hold out the last N training images for validation; trials are chosen on them (default: ${DEFAULT-VALUE})")
    int validation;

    @Option(names = "--threads", description = "CPU threads for the whole sweep (default: all cores)")
    Integer threads;

    @Option(names = "--deterministic", description = "cuda: only deterministic cuDNN algorithms")
    boolean deterministic;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int t = threads == null ? BackendOptions.defaultThreads() : threads;
        if (t < 1) throw usage("--threads must be at least 1");
        if (seeds < 1) throw usage("--seeds must be at least 1");
        if (parallel < 1) throw usage("--parallel must be at least 1");
        if (epochs < 1) throw usage("--epochs must be at least 1");
        if (limit < 0) throw usage("--limit must be zero (all) or positive");
        if (validation < 1) throw usage("--validation must be at least 1: a sweep chooses by validation accuracy");
        if (search == SearchMode.RANDOM && (trials == null || trials < 1))
            throw usage("--search random needs --trials N (how many configurations to draw)");
        if (search == SearchMode.GRID && trials != null) throw usage("--trials is for --search random");
        // Malformed values are usage errors before any data is loaded. "best" is settled once --out has been read;
        // until then a stand-in configuration takes its place, so only the syntax is checked here.
        SearchSpace parsedNow = parse(Optional.of(new TrialSettings(1, 1f, 0f, OptimizerKind.ADAM)));

        TrainTestData files = MnistLoader.load(dataset, dataDir != null ? dataDir : DataPaths.defaultDataDir(), true, System.err);
        DataSplits splits = DataSplits.of(files.train(), files.test(), validation, limit);
        FixedSettings fixed = new FixedSettings(arch, dataset.id(), epochs, schedule, limit, validation, backend, deterministic);
        Sweep.Request req = new Sweep.Request(search, trials == null ? 0 : trials, seeds, seed, fixed, parallel, t,
                out != null ? out : defaultSweepDir());
        Sweep.TrainDefaults defaults = new Sweep.TrainDefaults(new TrialSettings(TrainConfig.DEFAULT_BATCH,
                TrainConfig.DEFAULT_LR, TrainConfig.DEFAULT_L2, OptimizerKind.parse(TrainConfig.DEFAULT_OPTIMIZER)),
                TrainConfig.DEFAULT_EPOCHS, TrainConfig.DEFAULT_SCHEDULE);
        Environment env = new Environment(MachineInfo.collect(), GpuProbe.nvidiaSmi().describe(), BuildInfo.collect());
        java.io.PrintWriter stdout = spec.commandLine().getOut();
        Sweep.run(req, best -> {
            if (!usesBest()) return parsedNow;
            SearchSpace s = parse(best);
            best.ifPresent(b -> stdout.println("sweep: 'best' is taken from the best finished configuration, " + b.label()));
            return s;
        }, splits, defaults, env, stdout, spec.commandLine().getErr());
        return 0;
    }

    private boolean usesBest() {
        for (String v : new String[]{batchSizes, lrs, l2s, optimizers})
            for (String part : v.split(",")) if (part.strip().equalsIgnoreCase(SearchSpaceParser.BEST)) return true;
        return false;
    }

    private SearchSpace parse(Optional<TrialSettings> best) {
        try {
            SearchSpace s = SearchSpaceParser.parse(batchSizes, lrs, l2s, optimizers, best);
            if (search == SearchMode.GRID) s.grid();   // refuses ranges, which only random search can draw from
            return s;
        } catch (IllegalArgumentException | org.lenet5.util.UserException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static Path defaultSweepDir() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        Path p = Path.of("sweeps", stamp);
        for (int i = 2; Files.exists(p); i++) p = Path.of("sweeps", stamp + "-" + i);
        return p;
    }

    /** --search grid|random. */
    static final class SearchModeConverter implements CommandLine.ITypeConverter<SearchMode> {
        @Override
        public SearchMode convert(String value) {
            try {
                return SearchMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
