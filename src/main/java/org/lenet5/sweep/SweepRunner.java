package org.lenet5.sweep;

import org.lenet5.train.DataSplits;
import org.lenet5.train.DivergedException;
import org.lenet5.train.RunDirectory;
import org.lenet5.train.TrainingListener;
import org.lenet5.train.TrainingRun;
import org.lenet5.util.UserException;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the trials of a sweep that are not finished yet, {@code parallel} at a time, each into its own run
 * directory, and prints one line per trial as it ends:
 * {@code [3/12] batch 64 lr 1e-3 l2 0 adam seed 2: val 98.91% test 98.87% (41 s); about 6 min left}.
 * A trial that diverges or fails is recorded as such and the others go on.
 */
public final class SweepRunner {

    /**
     * @param trials          every trial of this command, finished or not, in the order to run them
     * @param parallel        trials at once
     * @param threadsPerTrial CPU threads of each trial's backend
     */
    public record Plan(List<Trial> trials, FixedSettings fixed, int parallel, int threadsPerTrial) {
        public Plan {
            trials = List.copyOf(trials);
            if (parallel < 1 || threadsPerTrial < 1) throw new IllegalArgumentException("parallel and threads must be >= 1");
        }
    }

    /**
     * @param total   trials of this command
     * @param kept    finished before this command started, not run again
     * @param ran     run by this command
     * @param seconds wall time of this command's trials
     */
    public record Summary(int total, int kept, int ran, double seconds) {}

    private final Plan plan;
    private final DataSplits data;
    private final SweepDirectory dir;
    private final PrintWriter out;
    private final Runnable afterEachTrial;
    private final java.io.PrintStream silent = new java.io.PrintStream(OutputStream.nullOutputStream());

    private long startNanos;
    private int done;
    private int toRun;
    private int kept;

    /** @param afterEachTrial runs (one at a time) after each trial is recorded, e.g. to rewrite results.csv */
    public SweepRunner(Plan plan, DataSplits data, SweepDirectory dir, PrintWriter out,
                       Runnable afterEachTrial) {
        this.plan = plan;
        this.afterEachTrial = afterEachTrial;
        this.data = data;
        this.dir = dir;
        this.out = out;
    }

    /** @param finishedIds ids of trials already finished in the directory (kept) */
    public Summary run(java.util.Set<String> finishedIds) {
        List<Trial> pending = new ArrayList<>();
        for (Trial t : plan.trials()) if (!finishedIds.contains(t.id())) pending.add(t);
        kept = plan.trials().size() - pending.size();
        toRun = pending.size();
        startNanos = System.nanoTime();
        if (pending.isEmpty()) return new Summary(plan.trials().size(), kept, 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(plan.parallel(), pending.size()), r -> {
            Thread th = new Thread(r, "sweep-trial");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<TrialResult>> futures = new ArrayList<>();
            for (Trial t : pending) futures.add(pool.submit(() -> runAndReport(t)));
            for (Future<TrialResult> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    // Only the sweep's own bookkeeping (its directory) fails here; a trial's failure is a result.
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof Error err) throw err;
                    throw new UserException("sweep: " + c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("sweep: interrupted");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Summary(plan.trials().size(), kept, toRun, (System.nanoTime() - startNanos) / 1e9);
    }

    private TrialResult runAndReport(Trial t) {
        TrialResult r = runTrial(t);
        dir.record(r);
        synchronized (this) {
            afterEachTrial.run();
            done++;
            out.println(progressLine(kept + done, plan.trials().size(), r, etaSeconds()));
            out.flush();
        }
        return r;
    }

    /** One trial from an empty directory to its result; divergence and failures become results. */
    TrialResult runTrial(Trial t) {
        RunDirectory rd = dir.startTrial(t, plan.fixed().dataset());
        int threads = plan.threadsPerTrial();
        long start = System.nanoTime();
        try {
            TrainingRun.Outcome o = TrainingRun.run(plan.fixed().configFor(t, threads), data, rd,
                    TrainingListener.SILENT, silent);
            return TrialResult.finished(t, o.epochs(), data.train().count(), seconds(start), threads, o.backend());
        } catch (DivergedException e) {
            dir.removeCheckpoint(t);
            // The trainer's message says where and why; a sweep keeps no checkpoint of it (see above).
            String why = e.getMessage();
            return TrialResult.stopped(t, TrialStatus.DIVERGED, rd.metrics(), data.train().count(), seconds(start),
                    threads, plan.fixed().backend().id(), e.epoch(), e.step(), why);
        } catch (RuntimeException | OutOfMemoryError e) {
            String why = e instanceof UserException ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return TrialResult.stopped(t, TrialStatus.FAILED, rd.metrics(), data.train().count(), seconds(start),
                    threads, plan.fixed().backend().id(), 0, 0, why.replace('\n', ' '));
        }
    }

    private double etaSeconds() {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        return elapsed / done * (toRun - done);
    }

    private static double seconds(long startNanos) { return (System.nanoTime() - startNanos) / 1e9; }

    static String progressLine(int index, int total, TrialResult r, double etaSeconds) {
        String result = switch (r.status()) {
            case OK -> String.format(Locale.ROOT, "val %.2f%% test %.2f%%", 100 * r.finalValidation(), 100 * r.testAccuracy());
            case DIVERGED -> "diverged at epoch " + r.divergedEpoch() + ", step " + r.divergedStep();
            case FAILED -> "failed: " + r.message();
        };
        String left = index >= total ? "sweep done" : "about " + duration(etaSeconds) + " left";
        return String.format(Locale.ROOT, "[%d/%d] %s: %s (%s); %s", index, total, r.trial().label(), result,
                duration(r.seconds()), left);
    }

    /** "41 s", "6 min", "2 h 05 min". */
    static String duration(double seconds) {
        if (seconds < 90) return Math.round(seconds) + " s";
        long minutes = Math.round(seconds / 60);
        if (minutes < 90) return minutes + " min";
        return String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }
}
