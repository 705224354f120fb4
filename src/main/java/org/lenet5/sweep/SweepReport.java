package org.lenet5.sweep;

import org.lenet5.util.AtomicFiles;
import org.lenet5.util.Plural;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * report.md and report.html: the best configuration (by mean validation accuracy) and how it compares with the
 * defaults of `lenet5 train`, every configuration ranked, the marginal effect of each hyper-parameter, the charts,
 * diverged and failed trials, the sweep's settings and the training environment.
 */
public final class SweepReport {

    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    /**
     * What the report says about how the sweep was run.
     *
     * @param defaults         `lenet5 train`'s default hyper-parameters
     * @param defaultEpochs    its default epochs
     * @param defaultSchedule  its default learning-rate schedule
     * @param search           e.g. "grid" or "random, 20 configurations"
     * @param searchConfigurations configurations the latest command laid out (the directory may hold more)
     */
    public record Context(FixedSettings fixed, int trainImages, int validationImages, int testImages, int parallel,
                          int threadsPerTrial, String search, int searchConfigurations, TrialSettings defaults, int defaultEpochs,
                          String defaultSchedule, Environment environment) {}

    private SweepReport() {}

    /** Writes the charts and both reports into dir. */
    public static void write(Path dir, SweepAnalysis a, Context ctx) throws IOException {
        List<SweepCharts.Chart> charts = SweepCharts.write(dir, a);
        ReportDocument doc = build(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(), a, ctx, charts);
        AtomicFiles.writeString(dir.resolve(MARKDOWN), doc.markdown());
        AtomicFiles.writeString(dir.resolve(HTML), doc.html(dir));
    }

    static ReportDocument build(String name, SweepAnalysis a, SweepReport.Context ctx, List<SweepCharts.Chart> charts) {
        FixedSettings f = ctx.fixed();
        ReportDocument d = new ReportDocument("Sweep report: " + name);
        long ok = a.results().stream().filter(TrialResult::ok).count();
        long diverged = a.count(TrialStatus.DIVERGED), failed = a.count(TrialStatus.FAILED);
        double seconds = a.results().stream().mapToDouble(TrialResult::seconds).sum();
        d.paragraph(String.format(Locale.ROOT, "%s (%s) of LeNet-5 `%s` on %s: %s each, %s learning-rate schedule, "
                        + "%,d training images. Configurations are chosen by their final accuracy on %,d validation images "
                        + "(the last %,d of the training file), averaged over seeds; the test accuracy (%,d images) is reported "
                        + "but never used to choose. %d ok, %d diverged, %d failed; %s of training in all.",
                Plural.count(a.results().size(), "trial"), Plural.count(a.configs().size(), "configuration"), f.arch().id(),
                f.dataset(), Plural.count(f.epochs(), "epoch"), f.schedule().id(),
                ctx.trainImages(), ctx.validationImages(), ctx.validationImages(), ctx.testImages(), ok, diverged, failed,
                SweepRunner.duration(seconds)));

        d.heading("Best configuration");
        Optional<SweepAnalysis.Config> best = a.best();
        if (best.isEmpty()) {
            d.paragraph("No configuration finished all its seeds, so there is no best one.");
        } else {
            SweepAnalysis.Config b = best.get();
            d.paragraph("**" + b.settings().label() + "**: validation " + meanSd(b.validation()) + ", test " + meanSd(b.test())
                    + seedsNote(b) + ". As flags: `" + flags(b.settings()) + "`.");
            d.paragraph(defaultsText(a, ctx));
        }

        d.heading("All configurations");
        d.paragraph("Ranked by mean final validation accuracy; ± is the standard deviation over seeds, in percentage points. A configuration with a "
                + "diverged or failed seed is not ranked.");
        List<List<String>> rows = new ArrayList<>();
        int rank = 1;
        for (SweepAnalysis.Config c : a.configs()) {
            TrialSettings s = c.settings();
            rows.add(List.of(c.allOk() ? Integer.toString(rank++) : "–", Integer.toString(s.batchSize()), CompactNumbers.of(s.lr()),
                    CompactNumbers.of(s.l2()), s.optimizer().id(), Integer.toString(c.seeds()), meanSd(c.validation()),
                    pct(c.bestValidation().mean()), meanSd(c.test()), num(c.trainLoss().mean()), c.statusText()));
        }
        d.table(List.of("rank", "batch", "lr", "l2", "optimizer", "seeds", "validation", "best epoch (val)", "test",
                "train loss", "status"), rows);

        d.heading("Effect of each hyper-parameter");
        d.paragraph("For each value: the configurations that have it, each one's mean validation accuracy over its seeds, "
                + "summarised across the other settings (mean, standard deviation, lowest, highest). The spread mixes the "
                + "effect of the other settings with seed noise; compare it with the ± of the table above.");
        for (Hyperparameter h : Hyperparameter.values()) {
            List<SweepAnalysis.Marginal> m = a.marginal(h);
            d.subheading(capitalise(h.title()));
            if (m.size() == 1) {
                d.paragraph("Only " + h.shortName() + (h.shortName().isEmpty() ? "" : " ") + m.get(0).value() + " was tried.");
                continue;
            }
            List<List<String>> mr = new ArrayList<>();
            for (SweepAnalysis.Marginal v : m)
                mr.add(List.of(v.value(), Integer.toString(v.validation().n()), pct(v.validation().mean()),
                        pp(v.validation().sd()), pct(v.validation().min()), pct(v.validation().max()), Integer.toString(v.unranked())));
            d.table(List.of(h.title(), "configurations", "mean validation", "sd", "lowest", "highest", "diverged or failed"), mr);
        }

        if (!charts.isEmpty()) {
            d.heading("Charts");
            for (SweepCharts.Chart c : charts) d.image(c.file(), c.title(), c.caption());
        }

        List<TrialResult> stopped = a.results().stream().filter(r -> !r.ok()).toList();
        if (!stopped.isEmpty()) {
            d.heading("Diverged and failed trials");
            d.paragraph("A diverged trial's loss or parameters became NaN or infinite; it keeps no checkpoint. "
                    + "A failed trial runs again when the sweep is started again with the same `--out`.");
            List<List<String>> sr = new ArrayList<>();
            for (TrialResult r : stopped)
                sr.add(List.of(r.trial().id(), r.status().id(), r.status() == TrialStatus.DIVERGED ? Integer.toString(r.divergedEpoch()) : "–",
                        r.status() == TrialStatus.DIVERGED ? Long.toString(r.divergedStep()) : "–", r.message()));
            d.table(List.of("trial", "status", "epoch", "step", "message"), sr);
        }

        d.heading("Sweep settings");
        List<List<String>> ss = new ArrayList<>();
        // A directory can hold the trials of several commands (a second stage with "best"); the row says which.
        ss.add(List.of("search (the latest command)", ctx.search()
                + (a.configs().size() > ctx.searchConfigurations() ? "; the directory holds " + a.configs().size()
                + " configurations from this and earlier commands" : "")));
        ss.add(List.of("architecture", f.arch().id()));
        ss.add(List.of("dataset", f.dataset()));
        ss.add(List.of("epochs", Integer.toString(f.epochs())));
        ss.add(List.of("learning-rate schedule", f.schedule().id()));
        ss.add(List.of("training images", String.format(Locale.ROOT, "%,d", ctx.trainImages())
                + (f.limit() > 0 ? " (--limit " + f.limit() + ")" : "")));
        ss.add(List.of("validation images", String.format(Locale.ROOT, "%,d", ctx.validationImages())));
        ss.add(List.of("test images", String.format(Locale.ROOT, "%,d", ctx.testImages())));
        ss.add(List.of("backend", f.backend().id() + (f.deterministic() ? " (deterministic)" : "")));
        ss.add(List.of("trials at once", Integer.toString(ctx.parallel())));
        ss.add(List.of("threads per trial", Integer.toString(ctx.threadsPerTrial())));
        d.table(List.of("setting", "value"), ss);

        d.heading("Training environment");
        d.paragraph("The machine that wrote this report. Trials kept from an earlier run of the sweep ran where that run did; "
                + "their backend and threads are in results.csv.");
        List<List<String>> env = new ArrayList<>();
        for (Map.Entry<String, String> e : ctx.environment().rows().entrySet()) env.add(List.of(e.getKey(), e.getValue()));
        d.table(List.of("", ""), env);
        return d;
    }

    private static String defaultsText(SweepAnalysis a, Context ctx) {
        Optional<SweepAnalysis.DefaultsComparison> cmp = a.compareWithDefaults(ctx.defaults());
        if (cmp.isEmpty()) return "";
        SweepAnalysis.DefaultsComparison c = cmp.get();
        String defaults = "The defaults of `lenet5 train` (" + c.defaults().label() + ")";
        StringBuilder s = new StringBuilder();
        if (c.exact() && c.reference().settings().id().equals(c.best().settings().id())) {
            s.append(defaults).append(" are the best configuration of this sweep.");
        } else {
            if (c.exact()) {
                s.append(defaults).append(" were among the trials: validation ").append(meanSd(c.reference().validation()))
                        .append(", test ").append(meanSd(c.reference().test())).append(". The best configuration is ahead of them by ");
            } else if (c.reference().settings().id().equals(c.best().settings().id())) {
                s.append(defaults).append(" were not among the trials, so there is no direct comparison. The closest ")
                        .append("configuration tried, the best one, differs from them in ")
                        .append(String.join(" and ", c.differing().stream().map(Hyperparameter::title).toList()))
                        .append(".");
                appendScheduleNote(s, ctx);
                return s.toString();
            } else {
                s.append(defaults).append(" were not among the trials, so there is no direct comparison. The closest ")
                        .append("configuration tried, ").append(c.reference().settings().label()).append(" (it differs in ")
                        .append(String.join(" and ", c.differing().stream().map(Hyperparameter::title).toList()))
                        .append("), reached validation ").append(meanSd(c.reference().validation())).append(", test ")
                        .append(meanSd(c.reference().test())).append("; the best configuration is ahead of it by ");
            }
            double dv = c.best().validation().mean() - c.reference().validation().mean();
            double dt = c.best().test().mean() - c.reference().test().mean();
            s.append(String.format(Locale.ROOT, "%.2f percentage points", 100 * dv)).append(" in mean validation accuracy (test: ")
                    .append(signedPp(dt)).append(").");
            double sdBest = c.best().validation().sd(), sdRef = c.reference().validation().sd();
            if (!Double.isNaN(sdBest) && !Double.isNaN(sdRef)) {
                double spread = Math.max(sdBest, sdRef);
                s.append(dv > spread ? " That is larger than the spread between seeds (sd " : " That is within the spread between seeds (sd ")
                        .append(pp(sdBest)).append(" and ").append(pp(sdRef)).append(").");
            } else {
                s.append(" With one seed per configuration, seed noise cannot be told apart from the difference.");
            }
        }
        appendScheduleNote(s, ctx);
        return s.toString();
    }

    private static void appendScheduleNote(StringBuilder s, Context ctx) {
        FixedSettings f = ctx.fixed();
        if (f.epochs() != ctx.defaultEpochs() || !f.schedule().id().equals(ctx.defaultSchedule()))
            s.append(" Note: this sweep trains ").append(f.epochs()).append(f.epochs() == 1 ? " epoch" : " epochs").append(" with a ").append(f.schedule().id())
                    .append(" schedule, while `lenet5 train` defaults to ").append(ctx.defaultEpochs()).append(" epochs with ")
                    .append(ctx.defaultSchedule()).append(", so these numbers are not those of a default `lenet5 train` run.");
    }

    static String flags(TrialSettings s) {
        return "--batch-size " + s.batchSize() + " --lr " + CompactNumbers.of(s.lr()) + " --l2 " + CompactNumbers.of(s.l2())
                + " --optimizer " + s.optimizer().id();
    }

    private static String seedsNote(SweepAnalysis.Config c) {
        return c.seeds() > 1 ? " (mean ± sd over " + c.seeds() + " seeds)" : " (one seed)";
    }

    static String pct(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f%%", 100 * fraction) : "–";
    }

    static String pp(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f pp", 100 * fraction) : "–";
    }

    static String signedPp(double fraction) {
        return String.format(Locale.ROOT, "%+.2f percentage points", 100 * fraction);
    }

    static String meanSd(SweepAnalysis.Stats s) {
        if (s.n() == 0) return "–";
        return Double.isNaN(s.sd()) ? pct(s.mean()) : String.format(Locale.ROOT, "%.2f%% ± %.2f", 100 * s.mean(), 100 * s.sd());
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "–";
    }

    private static String capitalise(String s) { return Character.toUpperCase(s.charAt(0)) + s.substring(1); }
}
