package org.lenet5.cli;

import org.lenet5.backend.BackendOptions;
import org.lenet5.data.TrainTestData;
import org.lenet5.sweep.Environment;
import org.lenet5.sweep.FixedSettings;
import org.lenet5.sweep.SearchMode;
import org.lenet5.sweep.SearchSpace;
import org.lenet5.sweep.SearchSpaceParser;
import org.lenet5.sweep.Sweep;
import org.lenet5.sweep.TrialSettings;
import org.lenet5.train.DataSplits;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.TrainConfig;
import org.lenet5.util.BuildInfo;
import org.lenet5.backend.Backends;
import org.lenet5.backend.cuda.CudaGpuProbe;
import org.lenet5.util.MachineInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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

    @Option(names = "--search", defaultValue = "grid", converter = Converters.Search.class,
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

    @Option(names = "--out", description = "Sweep directory; the same one again continues the sweep (default: sweeps/<date>_<time>)")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    CommonTrainingOptions common;

    @Override
    public Integer call() {
        CommonTrainingOptions c = common;
        int t = c.threads(spec.commandLine());
        if (seeds < 1) throw usage("--seeds must be at least 1");
        if (parallel < 1) throw usage("--parallel must be at least 1");
        if (out != null && out.toString().isBlank()) throw usage("--out needs a directory name");
        int cores = BackendOptions.defaultThreads();
        if (parallel > cores)
            spec.commandLine().getErr().println("notice: --parallel " + parallel + " is more than the " + cores
                    + " cores here; the trials will take turns on them, which is usually slower than --parallel " + cores);
        if (c.epochs < 1) throw usage("--epochs must be at least 1");
        if (c.limit < 0) throw usage("--limit must be zero (all) or positive");
        if (c.validation < 1) throw usage("--validation must be at least 1: a sweep chooses by validation accuracy");
        if (trials != null && trials < 1) throw usage("--trials must be at least 1 (got " + trials + ")");
        if (search == SearchMode.RANDOM && trials == null)
            throw usage("--search random needs --trials N (how many configurations to draw)");
        if (search == SearchMode.GRID && trials != null) throw usage("--trials is for --search random");
        // Malformed values are usage errors before any data is loaded. "best" is settled once --out has been read;
        // until then a stand-in configuration takes its place, so only the syntax is checked here.
        SearchSpace parsedNow = parse(Optional.of(new TrialSettings(1, 1f, 0f, OptimizerKind.ADAM)));

        Backends.requireAvailable(c.backend);
        TrainTestData files = c.load(c.dataset);
        DataSplits splits = c.splits(files, spec.commandLine());
        FixedSettings fixed = new FixedSettings(c.arch, c.dataset.id(), c.epochs, c.schedule, c.limit, c.validation,
                c.backend, c.deterministic);
        Sweep.Request req = new Sweep.Request(search, trials == null ? 0 : trials, seeds, c.seed, fixed, parallel, t,
                out != null ? out : CommonTrainingOptions.timestampedDir("sweeps"));
        Sweep.TrainDefaults defaults = new Sweep.TrainDefaults(new TrialSettings(TrainConfig.DEFAULT_BATCH,
                TrainConfig.DEFAULT_LR, TrainConfig.DEFAULT_L2, OptimizerKind.parse(TrainConfig.DEFAULT_OPTIMIZER)),
                TrainConfig.DEFAULT_EPOCHS, TrainConfig.DEFAULT_SCHEDULE);
        Environment env = new Environment(MachineInfo.collect(), new CudaGpuProbe().describe(), BuildInfo.collect());
        java.io.PrintWriter stdout = spec.commandLine().getOut();
        // Ctrl-C ends the JVM (the trial in progress is rerun next time); say how to go on before it does.
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Thread note = new Thread(() -> {
            if (!finished.get())
                System.err.println("sweep: interrupted; finished trials are kept in " + req.out()
                        + " and the same command (same --out) runs only the rest");
        });
        Runtime.getRuntime().addShutdownHook(note);
        try {
            Sweep.run(req, best -> {
                if (!usesBest()) return parsedNow;
                SearchSpace s = parse(best);
                best.ifPresent(b -> stdout.println("sweep: 'best' is taken from the best finished configuration, " + b.label()));
                return s;
            }, splits, defaults, env, stdout, spec.commandLine().getErr());
        } finally {
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(note);
            } catch (IllegalStateException shuttingDown) {
                // already shutting down: the hook decides by the flag
            }
        }
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
}
