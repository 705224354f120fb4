package org.lenet5.sweep;

import org.lenet5.train.OptimizerKind;

import java.util.Comparator;

/**
 * One point of the search space: the hyper-parameters a sweep varies. A configuration; with a seed it is a trial.
 */
public record TrialSettings(int batchSize, float lr, float l2, OptimizerKind optimizer) {

    /** Grid order: batch size, then learning rate, L2, optimizer. */
    public static final Comparator<TrialSettings> ORDER = Comparator.comparingInt(TrialSettings::batchSize)
            .thenComparingDouble(TrialSettings::lr).thenComparingDouble(TrialSettings::l2)
            .thenComparing(TrialSettings::optimizer);

    /** A file-name-safe id made of the values, e.g. "batch64_lr1e-3_l2-0_adam". Equal settings, equal id. */
    public String id() {
        return "batch" + batchSize + "_lr" + CompactNumbers.of(lr) + "_l2-" + CompactNumbers.of(l2) + "_" + optimizer.id();
    }

    /** For progress lines and tables: "batch 64 lr 1e-3 l2 0 adam". */
    public String label() {
        return "batch " + batchSize + " lr " + CompactNumbers.of(lr) + " l2 " + CompactNumbers.of(l2) + " " + optimizer.id();
    }

    public String value(Hyperparameter h) {
        return switch (h) {
            case BATCH_SIZE -> Integer.toString(batchSize);
            case LR -> CompactNumbers.of(lr);
            case L2 -> CompactNumbers.of(l2);
            case OPTIMIZER -> optimizer.id();
        };
    }

    /** The numeric value on a chart axis (NaN for the optimizer). */
    public double number(Hyperparameter h) {
        return switch (h) {
            case BATCH_SIZE -> batchSize;
            case LR -> lr;
            case L2 -> l2;
            case OPTIMIZER -> Double.NaN;
        };
    }

    /** These settings with one hyper-parameter's value taken from other. */
    public TrialSettings with(Hyperparameter h, TrialSettings other) {
        return switch (h) {
            case BATCH_SIZE -> new TrialSettings(other.batchSize, lr, l2, optimizer);
            case LR -> new TrialSettings(batchSize, other.lr, l2, optimizer);
            case L2 -> new TrialSettings(batchSize, lr, other.l2, optimizer);
            case OPTIMIZER -> new TrialSettings(batchSize, lr, l2, other.optimizer);
        };
    }

    /** The other three values, as a label: what stays fixed while h varies ("lr 1e-3 l2 0 adam" for batch size). */
    public String labelWithout(Hyperparameter h) {
        StringBuilder s = new StringBuilder();
        for (Hyperparameter o : Hyperparameter.values())
            if (o != h) s.append(s.length() == 0 ? "" : " ").append(o.shortName()).append(o.shortName().isEmpty() ? "" : " ").append(value(o));
        return s.toString();
    }
}
