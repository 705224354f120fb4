package org.lenet5.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.OptimizerKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one trial ended, as trial.json in its directory (written last, atomically: its presence marks the trial
 * finished) and as a row of results.csv.
 *
 * @param finalValidation validation accuracy after the last epoch (NaN when it never finished an epoch)
 * @param bestValidation  best validation accuracy of any epoch (reported, not used for choosing)
 * @param testAccuracy    test accuracy after the last epoch (reported only; nothing is chosen by it)
 * @param trainLoss       mean training loss of the last epoch
 * @param epochs          epochs completed
 * @param seconds         wall time of the trial: backend start, training and evaluation
 * @param imagesPerSecond training images per second of training time (evaluation excluded)
 * @param threads         CPU threads the trial's backend had
 * @param backend         the backend that ran it
 * @param divergedEpoch   1-based epoch of the divergence (0 when it did not diverge)
 * @param divergedStep    1-based optimizer step of the divergence (0 when it did not diverge)
 * @param message         why it diverged or failed ("" when ok)
 * @param curve           every completed epoch's metrics
 */
public record TrialResult(Trial trial, TrialStatus status, double finalValidation, double bestValidation,
                          double testAccuracy, double trainLoss, int epochs, double seconds, double imagesPerSecond,
                          int threads, String backend, int divergedEpoch, long divergedStep, String message,
                          List<EpochMetrics> curve) {

    public TrialResult {
        curve = List.copyOf(curve);
    }

    public static TrialResult finished(Trial trial, List<EpochMetrics> curve, int trainImages, double seconds,
                                       int threads, String backend) {
        return fromCurve(trial, TrialStatus.OK, curve, trainImages, seconds, threads, backend, 0, 0, "");
    }

    public static TrialResult stopped(Trial trial, TrialStatus status, List<EpochMetrics> curve, int trainImages,
                                      double seconds, int threads, String backend, int epoch, long step, String message) {
        return fromCurve(trial, status, curve, trainImages, seconds, threads, backend, epoch, step, message);
    }

    private static TrialResult fromCurve(Trial trial, TrialStatus status, List<EpochMetrics> curve, int trainImages,
                                         double seconds, int threads, String backend, int epoch, long step, String message) {
        EpochMetrics last = curve.isEmpty() ? null : curve.get(curve.size() - 1);
        double best = curve.stream().mapToDouble(EpochMetrics::validationAccuracy).max().orElse(Double.NaN);
        double trainSeconds = curve.stream().mapToDouble(EpochMetrics::seconds).sum();
        return new TrialResult(trial, status,
                last == null ? Double.NaN : last.validationAccuracy(), best,
                last == null ? Double.NaN : last.testAccuracy(),
                last == null ? Double.NaN : last.trainLoss(),
                curve.size(), seconds, trainSeconds > 0 ? (double) trainImages * curve.size() / trainSeconds : Double.NaN,
                threads, backend, epoch, step, message, curve);
    }

    public boolean ok() { return status == TrialStatus.OK; }

    /** trial.json. NaN is written as null (JSON has no NaN). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", trial.id());
        m.put("status", status.id());
        m.put("batch_size", trial.settings().batchSize());
        m.put("lr", (double) trial.settings().lr());
        m.put("l2", (double) trial.settings().l2());
        m.put("optimizer", trial.settings().optimizer().id());
        m.put("seed", trial.seed());
        m.put("final_validation_accuracy", orNull(finalValidation));
        m.put("best_validation_accuracy", orNull(bestValidation));
        m.put("test_accuracy", orNull(testAccuracy));
        m.put("train_loss", orNull(trainLoss));
        m.put("epochs", epochs);
        m.put("seconds", seconds);
        m.put("images_per_second", orNull(imagesPerSecond));
        m.put("threads", threads);
        m.put("backend", backend);
        m.put("diverged_epoch", divergedEpoch);
        m.put("diverged_step", divergedStep);
        m.put("message", message);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EpochMetrics e : curve) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", e.epoch());
            r.put("train_loss", e.trainLoss());
            r.put("train_accuracy", e.trainAccuracy());
            r.put("validation_accuracy", orNull(e.validationAccuracy()));
            r.put("test_loss", e.testLoss());
            r.put("test_accuracy", e.testAccuracy());
            r.put("seconds", e.seconds());
            r.put("images_per_second", e.imagesPerSecond());
            rows.add(r);
        }
        m.put("curve", rows);
        return m;
    }

    /** Reads trial.json back; throws IllegalArgumentException (or a Gson exception) when it is not one. */
    public static TrialResult fromJson(JsonObject o) {
        Trial trial = new Trial(new TrialSettings(o.get("batch_size").getAsInt(), o.get("lr").getAsFloat(),
                o.get("l2").getAsFloat(), OptimizerKind.parse(o.get("optimizer").getAsString())), o.get("seed").getAsLong());
        List<EpochMetrics> curve = new ArrayList<>();
        for (JsonElement el : o.getAsJsonArray("curve") == null ? new JsonArray() : o.getAsJsonArray("curve")) {
            JsonObject e = el.getAsJsonObject();
            curve.add(new EpochMetrics(e.get("epoch").getAsInt(), num(e, "train_loss"), num(e, "train_accuracy"),
                    num(e, "validation_accuracy"), num(e, "test_loss"), num(e, "test_accuracy"), num(e, "seconds"),
                    num(e, "images_per_second")));
        }
        return new TrialResult(trial, TrialStatus.parse(o.get("status").getAsString()),
                num(o, "final_validation_accuracy"), num(o, "best_validation_accuracy"), num(o, "test_accuracy"),
                num(o, "train_loss"), o.get("epochs").getAsInt(), num(o, "seconds"), num(o, "images_per_second"),
                o.get("threads").getAsInt(), o.get("backend").getAsString(), o.get("diverged_epoch").getAsInt(),
                o.get("diverged_step").getAsLong(), o.get("message").getAsString(), curve);
    }

    private static Object orNull(double v) { return Double.isFinite(v) ? v : null; }

    private static double num(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null) throw new IllegalArgumentException("missing " + key);
        return e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
