package org.lenet5.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.testing.FuzzVolumeSummary;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What --resume reads besides the checkpoint's bytes (fuzzed in CheckpointFuzzTest): config.json, metrics.csv and
 * the checkpoint's train.* entries, damaged at random (bytes cut or flipped, a JSON field given a hostile value,
 * rows removed, repeated or edited, metadata values replaced or removed). Opening the run for resume must end in
 * either a usable stored run or one UserException line naming a file; never another exception.
 */
class RunDirectoryFuzzTest {

    static final long SEED = 0x2E5_0AE_F022L;
    static final int CASES_PER_FILE = 300;

    enum Target { CONFIG, METRICS, CHECKPOINT_METADATA }

    @TempDir Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a hang guard
    void damagedRunFilesEitherOpenOrGiveOneLineNamingTheFile(TestReporter reporter) throws IOException {
        Path original = tmp.resolve("original");
        TrainConfig c = new TrainConfig(Architecture.FLUX, "mnist", 3, 32, 1e-3f, OptimizerSettings.of(OptimizerKind.MOMENTUM, 0f),
                LrSchedule.COSINE, 5, 100, 10, new BackendOptions(BackendKind.REFERENCE, 1, false));
        try (RunDirectory rd = RunDirectory.createNew(original, "mnist");
             ReferenceBackend b = new ReferenceBackend(ModelSpec.flux(), Preprocessing.forArchitecture(Architecture.FLUX, 28, 28), 4)) {
            Map<String, Object> cfg = c.toMap();
            cfg.put(RunDirectory.BACKEND_USED, "reference");
            cfg.put(RunDirectory.TRAIN_IMAGES, 100);
            rd.writeConfig(c, cfg);
            b.setParameters(Initializer.initialParameters(ModelSpec.flux(), 5));
            b.setOptimizerState(new float[][]{new float[b.layout().size()]});
            for (int e = 1; e <= 2; e++)
                rd.epochDone(new EpochMetrics(e, 1.5 / e, 0.5, 0.6, 1.4 / e, 0.55, 2.0, 50.0), new Trainer.TrainingState(e, 4L * e), b);
        }
        byte[] config = Files.readAllBytes(original.resolve(RunDirectory.CONFIG));
        byte[] metrics = Files.readAllBytes(original.resolve(RunDirectory.METRICS));
        byte[] model = Files.readAllBytes(original.resolve(RunDirectory.MODEL));
        Checkpoint checkpoint = CheckpointFile.read(original.resolve(RunDirectory.MODEL));

        SeededRandom rng = new SeededRandom(SEED);
        Path dir = tmp.resolve("case");
        int cases = 0, opened = 0, refused = 0;
        for (Target t : Target.values()) {
            for (int i = 0; i < CASES_PER_FILE; i++, cases++) {
                Files.createDirectories(dir);
                Files.write(dir.resolve(RunDirectory.CONFIG), t == Target.CONFIG ? mutateJson(config, rng) : config);
                Files.write(dir.resolve(RunDirectory.METRICS), t == Target.METRICS ? mutateCsv(metrics, rng) : metrics);
                Files.write(dir.resolve(RunDirectory.MODEL),
                        t == Target.CHECKPOINT_METADATA ? CheckpointFile.encode(mutateMetadata(checkpoint, rng)) : model);
                String where = "case " + cases + " (" + t + ", seed " + SEED + ")";
                try (RunDirectory rd = RunDirectory.openForResume(dir)) {
                    RunDirectory.Stored s = rd.readStored();
                    assertNotNull(s.config(), where);
                    assertEquals(s.state().epochsDone(), rd.metrics().size(), where + ": one metrics row per checkpointed epoch");
                    opened++;
                } catch (UserException e) {
                    String msg = e.getMessage();
                    assertTrue(msg.contains(dir.toString()), where + ": names the file: " + msg);
                    assertFalse(msg.contains("\n") || msg.contains("\r"), where + ": one line: " + msg);
                    refused++;
                } catch (Throwable e) {
                    fail(where + " threw " + e, e);
                }
                // Fresh files for every case: overwriting one truncates it, which ext4 follows with a slow flush.
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
                }
            }
        }
        System.out.printf("run directory fuzz (resume): %d cases (seed %#x): %d opened, %d refused with one line%n",
                cases, SEED, opened, refused);
        reporter.publishEntry(FuzzVolumeSummary.entry("resume files", cases));
        assertTrue(opened > 0 && refused > 0, "the mutations reach both outcomes");
    }

    private static final String[] HOSTILE = {"\"\"", "\"x\"", "-1", "0", "1", "1.5", "1e999", "-1e-999", "true", "null",
            "[]", "{}", "9223372036854775808", "2147483648", "\"flux\"", "\"classic\"", "\"adam\"", "\"cpu\"", "\"NaN\""};

    static byte[] mutateJson(byte[] valid, SeededRandom rng) {
        switch (rng.nextInt(3)) {
            case 0 -> { return Arrays.copyOf(valid, rng.nextInt(valid.length)); }
            case 1 -> { return flip(valid, rng); }
            default -> {
                JsonObject o = JsonParser.parseString(new String(valid, StandardCharsets.UTF_8)).getAsJsonObject();
                List<String> keys = new ArrayList<>(o.keySet());
                String key = keys.get(rng.nextInt(keys.size()));
                if (rng.nextInt(5) == 0) o.remove(key);
                else o.add(key, JsonParser.parseString(HOSTILE[rng.nextInt(HOSTILE.length)]));
                return o.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    static byte[] mutateCsv(byte[] valid, SeededRandom rng) {
        List<String> lines = new ArrayList<>(Arrays.asList(new String(valid, StandardCharsets.UTF_8).split("\n")));
        switch (rng.nextInt(4)) {
            case 0 -> { return Arrays.copyOf(valid, rng.nextInt(valid.length)); }
            case 1 -> { return flip(valid, rng); }
            case 2 -> {
                int k = rng.nextInt(lines.size());
                if (rng.nextInt(2) == 0) lines.remove(k);
                else lines.add(k, lines.get(k));
            }
            default -> {
                int k = rng.nextInt(lines.size());
                String[] f = lines.get(k).split(",", -1);
                f[rng.nextInt(f.length)] = HOSTILE[rng.nextInt(HOSTILE.length)].replace("\"", "");
                lines.set(k, String.join(",", f));
            }
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static Checkpoint mutateMetadata(Checkpoint c, SeededRandom rng) {
        Map<String, String> meta = new TreeMap<>(c.metadata());
        List<String> keys = new ArrayList<>(meta.keySet());
        for (int k = 1 + rng.nextInt(2); k > 0; k--) {
            String key = keys.get(rng.nextInt(keys.size()));
            if (rng.nextInt(5) == 0) meta.remove(key);
            else meta.put(key, HOSTILE[rng.nextInt(HOSTILE.length)].replace("\"", ""));
        }
        return new Checkpoint(c.spec(), c.preprocessing(), c.parameters(), c.optimizerState(), meta);
    }

    private static byte[] flip(byte[] valid, SeededRandom rng) {
        byte[] d = valid.clone();
        for (int k = 1 + rng.nextInt(4); k > 0; k--) d[rng.nextInt(d.length)] ^= (byte) (1 + rng.nextInt(255));
        return d;
    }
}
