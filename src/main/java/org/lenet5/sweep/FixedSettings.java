package org.lenet5.sweep;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.model.Architecture;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.TrainConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training flags a sweep keeps the same for every trial. They are written to sweep.json; a restarted sweep
 * must use the same ones, or its finished trials would not be comparable with the new ones.
 *
 * @param backend the backend every trial uses (auto resolved once, before the first trial)
 */
public record FixedSettings(Architecture arch, String dataset, int epochs, LrSchedule schedule, int limit,
                            int validation, BackendKind backend, boolean deterministic) {

    /** The run configuration of one trial. */
    public TrainConfig configFor(Trial t, int threads) {
        TrialSettings s = t.settings();
        return new TrainConfig(arch, dataset, epochs, s.batchSize(), s.lr(), OptimizerSettings.of(s.optimizer(), s.l2()),
                schedule, t.seed(), limit, validation, new BackendOptions(backend, threads, deterministic));
    }

    /** The fields of sweep.json, and what two sweeps must agree on to share a directory. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch.id());
        m.put("dataset", dataset);
        m.put("epochs", epochs);
        m.put("lr_schedule", schedule.id());
        m.put("limit", limit);
        m.put("validation", validation);
        m.put("backend", backend.id());
        m.put("deterministic", deterministic);
        return m;
    }

    /** The command-line option of each field, for messages. */
    static String option(String field) {
        return switch (field) {
            case "lr_schedule" -> "--lr-schedule";
            default -> "--" + field;
        };
    }
}
