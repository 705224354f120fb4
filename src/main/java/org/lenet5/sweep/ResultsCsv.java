package org.lenet5.sweep;

import java.util.List;
import java.util.Locale;

/**
 * results.csv: one row per trial (configuration and seed). Accuracies are fractions; empty cells mean "none"
 * (no validation result for a trial that diverged in its first epoch, no divergence point for a trial that
 * finished). Text cells are quoted as RFC 4180 says when they hold a comma, quote or line break.
 */
public final class ResultsCsv {

    public static final String HEADER = "trial_id,batch_size,lr,l2,optimizer,seed,arch,dataset,lr_schedule,limit,"
            + "validation_images,backend,threads,status,final_validation_accuracy,best_validation_accuracy,"
            + "test_accuracy,train_loss,epochs,seconds,images_per_second,diverged_epoch,diverged_step,message";

    private ResultsCsv() {}

    public static String render(List<TrialResult> results, FixedSettings fixed) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (TrialResult r : results) {
            TrialSettings t = r.trial().settings();
            boolean diverged = r.status() == TrialStatus.DIVERGED;
            s.append(String.join(",",
                    r.trial().id(), Integer.toString(t.batchSize()), CompactNumbers.of(t.lr()), CompactNumbers.of(t.l2()),
                    t.optimizer().id(), Long.toString(r.trial().seed()), fixed.arch().id(), fixed.dataset(),
                    fixed.schedule().id(), Integer.toString(fixed.limit()), Integer.toString(fixed.validation()),
                    r.backend(), Integer.toString(r.threads()), r.status().id(),
                    fraction(r.finalValidation()), fraction(r.bestValidation()), fraction(r.testAccuracy()),
                    fraction(r.trainLoss()), Integer.toString(r.epochs()),
                    String.format(Locale.ROOT, "%.1f", r.seconds()),
                    Double.isFinite(r.imagesPerSecond()) ? String.format(Locale.ROOT, "%.0f", r.imagesPerSecond()) : "",
                    diverged ? Integer.toString(r.divergedEpoch()) : "", diverged ? Long.toString(r.divergedStep()) : "",
                    quote(r.message()))).append('\n');
        }
        return s.toString();
    }

    private static String fraction(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }

    static String quote(String text) {
        String t = text.replace("\r", " ").replace("\n", " ");
        return t.contains(",") || t.contains("\"") ? "\"" + t.replace("\"", "\"\"") + "\"" : t;
    }
}
