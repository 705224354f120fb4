package org.lenet5.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.lenet5.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** lenet5 bench on the real MNIST files with the cpu backend; what it reports, never how fast (timing is not tested). */
class BenchCommandTest {

    static String dataDir;

    @TempDir Path dir;

    @BeforeAll
    static void data() {
        dataDir = TestData.dataDir().toString();
    }

    /** A short bench: the first 2,000 training images per epoch, 2 epochs, a few warm-up steps. */
    private static CliRun bench(String... extra) {
        String[] base = {"bench", "--data-dir", dataDir, "--limit", "2000", "--epochs", "2", "--warmup", "5"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void everyBatchSizeAndThreadCountIsReportedInTheTableAndTheJsonFile() throws Exception {
        Path json = dir.resolve("bench.json");
        CliRun r = bench("--batch-size", "32,100", "--threads", "1,2", "--json", json.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();

        JsonObject machine = j.getAsJsonObject("machine");
        assertFalse(machine.get("cpu").getAsString().isBlank());
        assertTrue(machine.get("logical_cores").getAsInt() >= 1);
        assertEquals(3, j.getAsJsonArray("load_average_start").size());
        assertEquals(3, j.getAsJsonArray("load_average_end").size());

        JsonArray runs = j.getAsJsonArray("runs");
        assertEquals(4, runs.size());
        Set<String> configs = new HashSet<>();
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            int batch = run.get("batch_size").getAsInt(), threads = run.get("threads").getAsInt();
            configs.add(batch + "x" + threads);
            assertEquals("cpu", run.get("backend").getAsString());
            assertEquals(2000, run.get("train_images_per_epoch").getAsInt());
            assertEquals(60000, run.get("full_epoch_images").getAsInt());
            assertTrue(run.get("full_epoch_extrapolated").getAsBoolean(), "--limit epochs are scaled, and say so");
            assertEquals(10000, run.get("inference_images").getAsInt());

            JsonObject epoch = run.getAsJsonObject("epoch_seconds"), rate = run.getAsJsonObject("train_images_per_second");
            assertEquals(2, epoch.getAsJsonArray("samples").size(), "one sample per timed epoch");
            double median = epoch.get("median").getAsDouble();
            assertTrue(epoch.get("min").getAsDouble() <= median && median <= epoch.get("max").getAsDouble());
            assertTrue(median > 0);
            // images/s are the same measurements: 2000 images over each epoch's seconds
            assertEquals(2000 / epoch.get("min").getAsDouble(), rate.get("max").getAsDouble(), 1e-6 * rate.get("max").getAsDouble());
            assertEquals(60000 / rate.get("median").getAsDouble(), run.get("full_epoch_seconds_median").getAsDouble(), 1e-9);
            assertEquals(2, run.getAsJsonObject("inference_seconds").getAsJsonArray("samples").size());
            // HotSpot times its compilers: one figure per timed epoch, the compilers' milliseconds in it
            JsonArray jit = run.getAsJsonObject("jit_milliseconds_per_epoch").getAsJsonArray("samples");
            assertEquals(2, jit.size(), "one JIT figure per timed epoch");
            for (JsonElement ms : jit) assertTrue(ms.getAsDouble() >= 0, "JIT milliseconds " + ms);

            // 5 warm-up steps and 2 epochs of 2,000 images train well above chance (10%) on the real test set
            double accuracy = run.get("test_accuracy").getAsDouble();
            assertTrue(accuracy > 0.6 && accuracy < 1, batch + "x" + threads + ": test accuracy " + accuracy);
            double loss = run.get("train_loss_last_epoch").getAsDouble();
            assertTrue(loss > 0 && loss < 1.5, "training loss " + loss);
            if (Files.isReadable(Path.of("/proc/self/status"))) {
                long start = run.get("rss_at_start_bytes").getAsLong(), peak = run.get("peak_rss_bytes").getAsLong();
                assertTrue(start > 10L << 20, "RSS at start " + start);
                // Linux updates VmHWM from per-thread RSS counters it syncs lazily: 16 MiB of slack
                assertTrue(peak >= start - (16L << 20), "peak RSS " + peak + " below the RSS at the start " + start);
            }
        }
        assertEquals(Set.of("32x1", "32x2", "100x1", "100x2"), configs);

        String table = r.out();
        assertTrue(table.contains("2,000 training images per epoch (--limit; epoch seconds scaled to 60,000)"), table);
        for (String row : new String[]{"   32       1  ", "   32       2  ", "  100       1  ", "  100       2  "})
            assertTrue(table.contains("\n" + row), "row '" + row + "' in\n" + table);
        assertTrue(table.contains("JSON: " + json), table);
        assertTrue(table.contains(" JIT ms\n"), "the table has the JIT column: " + table);
    }

    /** Same seed and thread count: the same training, so the same loss and accuracy (the times differ). */
    @Test
    void twoRunsWithTheSameSeedTrainIdentically() {
        CliRun a = bench("--batch-size", "32", "--threads", "2", "--json", "-");
        CliRun b = bench("--batch-size", "32", "--threads", "2", "--json", "-");
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(0, b.exitCode(), b.err());
        JsonObject ra = JsonParser.parseString(a.out()).getAsJsonObject().getAsJsonArray("runs").get(0).getAsJsonObject();
        JsonObject rb = JsonParser.parseString(b.out()).getAsJsonObject().getAsJsonArray("runs").get(0).getAsJsonObject();
        assertEquals(ra.get("train_loss_last_epoch").getAsDouble(), rb.get("train_loss_last_epoch").getAsDouble(), 0.0);
        assertEquals(ra.get("test_accuracy").getAsDouble(), rb.get("test_accuracy").getAsDouble(), 0.0);
    }

    @Test
    void badListsAndCountsAreUsageErrors() {
        String[][] cases = {{"--batch-size", "0"}, {"--batch-size", "32,x"}, {"--threads", "0"}, {"--epochs", "0"},
                {"--warmup", "-1"}, {"--eval-batch-size", "0"}};
        for (String[] c : cases) {
            CliRun r = CliRun.of("bench", "--data-dir", dataDir, c[0], c[1]);
            assertEquals(2, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("error: " + c[0]), r.err());
        }
    }

    @Test
    void aLimitAboveTheTrainingSetNamesBothNumbers() {
        CliRun r = CliRun.of("bench", "--data-dir", dataDir, "--limit", "70000");
        assertEquals(1, r.exitCode());
        assertEquals("error: --limit 70000 is more than the 60000 training images of mnist", r.err().strip());
    }

    /** Refused before any timing starts: a file where a directory should be. */
    @Test
    void anUnwritableJsonPathIsAOneLineErrorBeforeTheBenchmarkRuns() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        String target = file.resolve("bench.json").toString();
        CliRun r = CliRun.of("bench", "--data-dir", "/nonexistent-so-it-would-fail-later", "--json", target);
        assertEquals(1, r.exitCode());
        assertEquals("error: " + target + ": cannot write the JSON results there (" + file + " is not a directory)",
                r.err().strip());
    }
}
