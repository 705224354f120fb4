package org.lenet5.sweep;

import java.util.Comparator;

/** One training run of a sweep: a configuration and a seed. Its id names its directory, trials/&lt;id&gt;/. */
public record Trial(TrialSettings settings, long seed) {

    public static final Comparator<Trial> ORDER = Comparator.comparing(Trial::settings, TrialSettings.ORDER)
            .thenComparingLong(Trial::seed);

    /** e.g. "batch64_lr1e-3_l2-0_adam_seed2": the same settings and seed give the same id in every sweep. */
    public String id() { return settings.id() + "_seed" + seed; }

    public String label() { return settings.label() + " seed " + seed; }
}
