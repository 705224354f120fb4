package org.lenet5.sweep;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.DataSplits;
import org.lenet5.train.TrainingRun;
import org.lenet5.util.Plural;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A whole sweep: settle the backend, open (or continue) the sweep directory, lay out the trials, run those not
 * finished yet, then write results.csv and the report over every trial in the directory (so a second stage run
 * into the same --out is reported together with the first).
 */
public final class Sweep {

    /**
     * @param search       grid or random
     * @param randomTrials configurations to draw (random search)
     * @param seeds        seeds per configuration: firstSeed, firstSeed + 1, ...
     * @param firstSeed    also seeds the random search
     * @param fixed        the flags every trial shares (backend as asked: auto is settled here)
     * @param parallel     trials at once on CPU backends (a GPU runs them one after another)
     * @param threads      CPU threads for the whole sweep, split between the parallel trials
     */
    public record Request(SearchMode search, int randomTrials, int seeds, long firstSeed, FixedSettings fixed,
                          int parallel, int threads, Path out) {}

    /** Builds the search space once the best finished configuration in --out is known (for "best" values). */
    @FunctionalInterface
    public interface SpaceSource {
        SearchSpace build(Optional<TrialSettings> bestSoFar);
    }

    /** What the report compares against: the defaults of `lenet5 train`. */
    public record TrainDefaults(TrialSettings settings, int epochs, String schedule) {}

    public record Result(SweepRunner.Summary summary, SweepAnalysis analysis, Path dir) {}

    private Sweep() {}

    public static Result run(Request req, SpaceSource spaceSource, DataSplits data, TrainDefaults defaults,
                             Environment environment, PrintWriter out, PrintWriter err) {
        if (req.seeds() < 1) throw new UserException("--seeds must be at least 1 (got " + req.seeds() + ")");
        if (req.parallel() < 1) throw new UserException("--parallel must be at least 1 (got " + req.parallel() + ")");
        if (req.threads() < 1) throw new UserException("--threads must be at least 1 (got " + req.threads() + ")");
        if (data.validation().count() == 0)
            throw new UserException("--validation 0: a sweep chooses configurations by validation accuracy; hold out some "
                    + "training images (e.g. --validation 5000)");

        BackendKind backend = settleBackend(req, data, err);
        int parallel = req.parallel();
        if (backend == BackendKind.CUDA && parallel > 1) {
            err.println("sweep: on the GPU trials run one after another (--parallel " + parallel + " applies to CPU backends)");
            parallel = 1;
        }
        int threadsPerTrial = Math.max(1, req.threads() / parallel);
        FixedSettings f = req.fixed();
        FixedSettings fixed = new FixedSettings(f.arch(), f.dataset(), f.epochs(), f.schedule(), f.limit(), f.validation(),
                backend, f.deterministic());

        try (SweepDirectory dir = SweepDirectory.open(req.out(), fixed)) {
            List<TrialResult> before = dir.results(err);
            SearchSpace space = spaceSource.build(new SweepAnalysis(before).best().map(SweepAnalysis.Config::settings));
            List<TrialSettings> configs = req.search() == SearchMode.GRID ? space.grid() : space.sample(req.randomTrials(), req.firstSeed());
            List<Trial> trials = new ArrayList<>();
            // Every configuration's first seed before any second one: an interrupted sweep has seen the whole space.
            for (int k = 0; k < req.seeds(); k++)
                for (TrialSettings s : configs) trials.add(new Trial(s, req.firstSeed() + k));
            for (Trial t : trials) {
                try {
                    fixed.configFor(t, threadsPerTrial);
                } catch (IllegalArgumentException e) {
                    throw new UserException(t.label() + ": " + e.getMessage());
                }
            }
            Set<String> finished = new HashSet<>();
            for (TrialResult r : before) if (r.status().finished()) finished.add(r.trial().id());
            long keep = trials.stream().filter(t -> finished.contains(t.id())).count();
            out.printf(Locale.ROOT, "sweep: %s (%s x %s) on %s, %d at a time with %s each; "
                            + "%d finished earlier and kept, %d to run; directory %s%n",
                    Plural.count(trials.size(), "trial"), Plural.count(configs.size(), "configuration"),
                    Plural.count(req.seeds(), "seed"), backend.id(), parallel, Plural.count(threadsPerTrial, "thread"), keep, trials.size() - keep, dir.path());
            out.flush();

            // Unreadable trial records were reported above; rewriting results.csv after each trial need not repeat that.
            PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
            SweepRunner runner = new SweepRunner(new SweepRunner.Plan(trials, fixed, parallel, threadsPerTrial), data, dir, out, () -> dir.writeResultsCsv(dir.results(quiet), fixed));
            SweepRunner.Summary summary = runner.run(finished);

            List<TrialResult> all = dir.results(err);
            dir.writeResultsCsv(all, fixed);
            SweepAnalysis analysis = new SweepAnalysis(all);
            String configurations = Plural.count(configs.size(), "configuration");
            String search = req.search() == SearchMode.GRID ? "grid, " + configurations
                    : "random, " + configurations + " drawn with seed " + req.firstSeed();
            SweepReport.Context ctx = new SweepReport.Context(fixed, data.train().count(), data.validation().count(),
                    data.test().count(), parallel, threadsPerTrial, search + ", " + Plural.count(req.seeds(), "seed"), configs.size(),
                    defaults.settings(), defaults.epochs(), defaults.schedule(), environment);
            try {
                SweepReport.write(dir.path(), analysis, ctx);
            } catch (IOException e) {
                throw new UserException(dir.path() + ": cannot write the report (" + e.getMessage() + ")");
            }
            analysis.best().ifPresent(
                    b -> out.printf(Locale.ROOT, "best (mean validation accuracy over %s): %s: val %s, test %s%n",
                            Plural.count(b.seeds(), "seed"), b.settings().label(), SweepReport.meanSd(b.validation()),
                            SweepReport.meanSd(b.test())));
            out.println("results: " + dir.path().resolve(SweepDirectory.RESULTS_CSV) + ", report: "
                    + dir.path().resolve(SweepReport.HTML) + " (and " + SweepReport.MARKDOWN + ")");
            out.flush();
            // A sweep that found nothing fails, so a script notices; its results and report are written all the same.
            if (analysis.best().isEmpty()) {
                long diverged = analysis.count(TrialStatus.DIVERGED), failed = analysis.count(TrialStatus.FAILED);
                throw new UserException("no configuration finished all its seeds (" + Plural.count(diverged, "trial")
                        + " diverged, " + failed + " failed); see " + dir.path().resolve(SweepReport.MARKDOWN));
            }
            return new Result(summary, analysis, dir.path());
        }
    }

    /** Builds the backend once, so "auto" becomes cpu or cuda for every trial and a missing backend stops the sweep early. */
    private static BackendKind settleBackend(Request req, DataSplits data, PrintWriter err) {
        FixedSettings f = req.fixed();
        ModelSpec spec = ModelSpec.forImages(f.arch(), data.train().rows(), data.train().cols());
        Preprocessing prep = Preprocessing.forArchitecture(f.arch(), data.train().rows(), data.train().cols());
        java.io.ByteArrayOutputStream notices = new java.io.ByteArrayOutputStream();
        try (Backend b = Backends.create(new BackendOptions(f.backend(), 1, f.deterministic()), spec, prep,
                TrainingRun.EVAL_BATCH, new java.io.PrintStream(notices, true, java.nio.charset.StandardCharsets.UTF_8))) {
            return BackendKind.parse(b.name());
        } finally {
            err.print(notices.toString(java.nio.charset.StandardCharsets.UTF_8));
            err.flush();
        }
    }
}
