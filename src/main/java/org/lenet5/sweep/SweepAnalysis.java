package org.lenet5.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a sweep's results say. Configurations are ranked by their final validation accuracy, averaged over their
 * seeds; the test accuracy is carried along for the report but never decides anything. A configuration in which
 * any seed diverged or failed is not ranked (its mean would hide that it is unreliable).
 */
public final class SweepAnalysis {

    /** One configuration's trials (one per seed). */
    public record Config(TrialSettings settings, List<TrialResult> trials) {

        public Config {
            trials = List.copyOf(trials);
        }

        public int seeds() { return trials.size(); }

        public long okSeeds() { return trials.stream().filter(TrialResult::ok).count(); }

        /** Every seed trained to the end. */
        public boolean allOk() { return okSeeds() == seeds(); }

        public Stats validation() { return Stats.of(trials.stream().filter(TrialResult::ok).mapToDouble(TrialResult::finalValidation).toArray()); }

        public Stats bestValidation() { return Stats.of(trials.stream().filter(TrialResult::ok).mapToDouble(TrialResult::bestValidation).toArray()); }

        public Stats test() { return Stats.of(trials.stream().filter(TrialResult::ok).mapToDouble(TrialResult::testAccuracy).toArray()); }

        public Stats trainLoss() { return Stats.of(trials.stream().filter(TrialResult::ok).mapToDouble(TrialResult::trainLoss).toArray()); }

        /** "ok", or e.g. "1 of 2 diverged". */
        public String statusText() {
            if (allOk()) return "ok";
            long diverged = trials.stream().filter(t -> t.status() == TrialStatus.DIVERGED).count();
            long failed = trials.stream().filter(t -> t.status() == TrialStatus.FAILED).count();
            List<String> parts = new ArrayList<>();
            if (diverged > 0) parts.add(diverged + " of " + seeds() + " diverged");
            if (failed > 0) parts.add(failed + " of " + seeds() + " failed");
            return String.join(", ", parts);
        }
    }

    /** Mean, sample standard deviation (n - 1; NaN for one value), min and max. */
    public record Stats(int n, double mean, double sd, double min, double max) {
        public static Stats of(double[] v) {
            if (v.length == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = sum / v.length, ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            return new Stats(v.length, mean, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : Double.NaN, min, max);
        }
    }

    /**
     * One value of one hyper-parameter: how the configurations with that value did, across the other settings.
     *
     * @param validation stats over the ranked configurations' mean validation accuracies
     * @param unranked   configurations with this value that diverged or failed in some seed
     */
    public record Marginal(String value, double number, Stats validation, int unranked) {}

    /**
     * The best configuration against the defaults of `lenet5 train`.
     *
     * @param exact     the defaults were one of the trials; otherwise reference is the closest ranked configuration
     * @param differing the hyper-parameters in which reference differs from the defaults (empty when exact)
     */
    public record DefaultsComparison(TrialSettings defaults, Config best, Config reference, boolean exact,
                                     List<Hyperparameter> differing) {}

    private final List<Config> configs;   // ranked ones first, best first; then the unranked
    private final List<TrialResult> results;

    public SweepAnalysis(List<TrialResult> results) {
        this.results = List.copyOf(results);
        Map<String, List<TrialResult>> byConfig = new LinkedHashMap<>();
        Map<String, TrialSettings> settings = new LinkedHashMap<>();
        for (TrialResult r : results) {
            byConfig.computeIfAbsent(r.trial().settings().id(), k -> new ArrayList<>()).add(r);
            settings.putIfAbsent(r.trial().settings().id(), r.trial().settings());
        }
        List<Config> all = new ArrayList<>();
        byConfig.forEach((id, trials) -> all.add(new Config(settings.get(id), trials)));
        all.sort(Comparator.comparing((Config c) -> !c.allOk())
                .thenComparing(c -> c.allOk() ? -c.validation().mean() : 0)
                .thenComparing(Config::settings, TrialSettings.ORDER));
        this.configs = List.copyOf(all);
    }

    public List<TrialResult> results() { return results; }

    /** Trials (one per configuration and seed) that ended with this status. */
    public long count(TrialStatus status) { return results.stream().filter(r -> r.status() == status).count(); }

    /** All configurations: the ranked ones best first, then those with a diverged or failed seed. */
    public List<Config> configs() { return configs; }

    public List<Config> ranked() { return configs.stream().filter(Config::allOk).toList(); }

    public Optional<Config> best() { return ranked().stream().findFirst(); }

    public Optional<Config> find(TrialSettings s) {
        return configs.stream().filter(c -> c.settings().id().equals(s.id())).findFirst();
    }

    /** The values of h that occur, with the spread of validation accuracy across the other settings. */
    public List<Marginal> marginal(Hyperparameter h) {
        Map<String, List<Config>> byValue = new TreeMap<>();
        Map<String, TrialSettings> example = new LinkedHashMap<>();
        for (Config c : configs) {
            String key = sortKey(h, c.settings());
            byValue.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            example.putIfAbsent(key, c.settings());
        }
        List<Marginal> out = new ArrayList<>();
        byValue.forEach((key, cs) -> {
            double[] means = cs.stream().filter(Config::allOk).mapToDouble(c -> c.validation().mean()).toArray();
            TrialSettings s = example.get(key);
            out.add(new Marginal(s.value(h), s.number(h), Stats.of(means), (int) cs.stream().filter(c -> !c.allOk()).count()));
        });
        return out;
    }

    /** Distinct values of h among all configurations. */
    public int distinctValues(Hyperparameter h) { return marginal(h).size(); }

    private static String sortKey(Hyperparameter h, TrialSettings s) {
        return h == Hyperparameter.OPTIMIZER ? String.format("%02d", s.optimizer().ordinal())
                : String.format(java.util.Locale.ROOT, "%030.15f", s.number(h));
    }

    /**
     * Compares the best configuration with the defaults: directly when the defaults were tried (and every seed
     * finished), otherwise with the ranked configuration closest to them (fewest differing hyper-parameters, then
     * nearest on log scales).
     */
    public Optional<DefaultsComparison> compareWithDefaults(TrialSettings defaults) {
        Optional<Config> best = best();
        if (best.isEmpty()) return Optional.empty();
        Optional<Config> exact = find(defaults).filter(Config::allOk);
        if (exact.isPresent()) return Optional.of(new DefaultsComparison(defaults, best.get(), exact.get(), true, List.of()));
        Config closest = ranked().stream().min(Comparator.comparingInt((Config c) -> differing(defaults, c.settings()).size())
                .thenComparingDouble(c -> logDistance(defaults, c.settings()))).orElseThrow();
        return Optional.of(new DefaultsComparison(defaults, best.get(), closest, false, differing(defaults, closest.settings())));
    }

    static List<Hyperparameter> differing(TrialSettings a, TrialSettings b) {
        List<Hyperparameter> d = new ArrayList<>();
        for (Hyperparameter h : Hyperparameter.values()) if (!a.value(h).equals(b.value(h))) d.add(h);
        return d;
    }

    /** Sum of |log10 ratio| over batch size, learning rate and L2 (L2 = 0 counted as 1e-8). */
    static double logDistance(TrialSettings a, TrialSettings b) {
        return Math.abs(Math.log10(a.batchSize()) - Math.log10(b.batchSize()))
                + Math.abs(Math.log10(a.lr()) - Math.log10(b.lr()))
                + Math.abs(Math.log10(Math.max(a.l2(), 1e-8)) - Math.log10(Math.max(b.l2(), 1e-8)));
    }
}
