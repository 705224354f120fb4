package org.lenet5.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.data.DatasetKind;
import org.lenet5.model.Architecture;
import org.lenet5.util.UserException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything that decides a training run's result. Stored as config.json in the run directory.
 *
 * @param arch         network variant
 * @param dataset      dataset id ("mnist", "fashion-mnist")
 * @param epochs       passes over the training images
 * @param batchSize    images per optimizer step (the last batch of an epoch may be smaller)
 * @param lr           base learning rate
 * @param optimizer    update rule and L2
 * @param schedule     learning-rate schedule
 * @param seed         seeds initialisation and shuffling
 * @param limit        use only the first N training images (0 = all)
 * @param validation   images held out from the end of the training file for validation (0 = none)
 * @param backend      which backend and its threads
 */
public record TrainConfig(Architecture arch, String dataset, int epochs, int batchSize, float lr,
                          OptimizerSettings optimizer, LrSchedule schedule, long seed, int limit, int validation,
                          BackendOptions backend) {

    /** Defaults chosen by the experiments in README.md ("How the defaults were chosen"). */
    public static final int DEFAULT_EPOCHS = 12;
    public static final int DEFAULT_BATCH = 64;
    public static final float DEFAULT_LR = 2e-3f;
    public static final float DEFAULT_L2 = 1e-5f;
    public static final int DEFAULT_VALIDATION = 5000;
    /** As command-line ids, so picocli option annotations can use them. */
    public static final String DEFAULT_OPTIMIZER = "adam";
    public static final String DEFAULT_SCHEDULE = "cosine";
    public static final long DEFAULT_SEED = 1;

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1 (got " + epochs + ")");
        if (batchSize < 1 || batchSize > 65536)
            throw new IllegalArgumentException("--batch-size must be between 1 and 65536 (got " + batchSize + ")");
        if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("--lr must be a positive number (got " + lr + ")");
        if (!(optimizer.l2() >= 0) || !Float.isFinite(optimizer.l2()))
            throw new IllegalArgumentException("--l2 must be zero or positive (got " + optimizer.l2() + ")");
        if (limit < 0) throw new IllegalArgumentException("--limit must be zero (all) or positive (got " + limit + ")");
        if (validation < 0) throw new IllegalArgumentException("--validation must be zero or positive (got " + validation + ")");
    }

    /** The fields of config.json, in a fixed order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch.id());
        m.put("dataset", dataset);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("lr", decimal(lr));
        m.put("lr_schedule", schedule.id());
        m.put("optimizer", optimizer.kind().id());
        m.put("l2", decimal(optimizer.l2()));
        m.put("momentum", decimal(optimizer.momentum()));
        m.put("beta1", decimal(optimizer.beta1()));
        m.put("beta2", decimal(optimizer.beta2()));
        m.put("epsilon", decimal(optimizer.epsilon()));
        m.put("seed", seed);
        m.put("limit", limit);
        m.put("validation", validation);
        m.put("backend", backend.kind().id());
        m.put("threads", backend.threads());
        m.put("deterministic", backend.deterministic());
        return m;
    }

    /**
     * The configuration stored in a run directory's config.json (the inverse of {@link #toMap()}); every problem is
     * one UserException line naming the file and the field.
     */
    public static TrainConfig fromJson(JsonObject json, Path file) {
        StoredFields f = new StoredFields(json, file);
        try {
            OptimizerSettings opt = new OptimizerSettings(f.parse("optimizer", OptimizerKind::parse), f.f32("l2"),
                    f.f32("momentum"), f.f32("beta1"), f.f32("beta2"), f.f32("epsilon"));
            return new TrainConfig(f.parse("arch", Architecture::parse), f.parse("dataset", d -> DatasetKind.parse(d).id()), f.i32("epochs"),
                    f.i32("batch_size"), f.f32("lr"), opt, f.parse("lr_schedule", LrSchedule::parse), f.i64("seed"),
                    f.i32("limit"), f.i32("validation"),
                    new BackendOptions(f.parse("backend", BackendKind::parse), f.i32("threads"),
                            f.bool("deterministic")));
        } catch (IllegalArgumentException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
    }

    /** Typed access to config.json's fields, each failure naming the file and the key. */
    static final class StoredFields {
        private final JsonObject json;
        private final Path file;

        StoredFields(JsonObject json, Path file) {
            this.json = json;
            this.file = file;
        }

        private JsonPrimitive primitive(String key) {
            JsonElement e = json.get(key);
            if (e == null || !e.isJsonPrimitive()) throw bad(key, e == null ? "is missing" : "is not a single value");
            return e.getAsJsonPrimitive();
        }

        private UserException bad(String key, String problem) {
            return new UserException(file + ": \"" + key + "\" " + problem);
        }

        String text(String key) {
            JsonPrimitive p = primitive(key);
            if (!p.isString()) throw bad(key, "is not a string");
            return p.getAsString();
        }

        <T> T parse(String key, Function<String, T> parser) {
            String s = text(key);
            try {
                return parser.apply(s);
            } catch (IllegalArgumentException e) {
                throw bad(key, "is '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "': " + e.getMessage());
            }
        }

        /** The number as written, parsed as a float (so 0.001 gives back exactly the float 1e-3f that was stored). */
        float f32(String key) {
            JsonPrimitive p = primitive(key);
            if (!p.isNumber()) throw bad(key, "is not a number");
            float v = Float.parseFloat(p.getAsString());
            if (!Float.isFinite(v)) throw bad(key, "is " + p.getAsString() + ", not a finite number");
            return v;
        }

        long i64(String key) {
            JsonPrimitive p = primitive(key);
            if (!p.isNumber()) throw bad(key, "is not a number");
            try {
                return Long.parseLong(p.getAsString());
            } catch (NumberFormatException e) {
                throw bad(key, "is " + p.getAsString() + ", not a whole number");
            }
        }

        int i32(String key) {
            long v = i64(key);
            if (v != (int) v) throw bad(key, "is " + v + ", out of range");
            return (int) v;
        }

        boolean bool(String key) {
            JsonPrimitive p = primitive(key);
            if (!p.isBoolean()) throw bad(key, "is not true or false");
            return p.getAsBoolean();
        }
    }

    /** A float as the decimal a person typed (1e-3, not 0.0010000000474974513). */
    public static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }
}
