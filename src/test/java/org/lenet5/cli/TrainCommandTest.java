package org.lenet5.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.lenet5.TestData;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.model.ModelSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lenet5 train end to end on the real MNIST files (cpu backend). */
class TrainCommandTest {

    static Path dataDir;

    @BeforeAll
    static void mnist() { dataDir = TestData.dataDir(); }

    static CliRun train(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--backend", "cpu", "--threads", "2",
                "--data-dir", dataDir.toString(), "--out", out.toString(), "--validation", "1000"));
        args.addAll(Arrays.asList(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    static String withoutTimings(String csv) {
        // Drop the two timing columns (seconds, images_per_second), which legitimately differ run to run.
        StringBuilder b = new StringBuilder();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",", -1);
            b.append(String.join(",", Arrays.copyOf(f, f.length - 2))).append('\n');
        }
        return b.toString();
    }

    @Test
    void aShortRunOnRealMnistWritesTheRunDirectoryAndLearns(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        CliRun r = train(out, "--limit", "10000", "--epochs", "2", "--batch-size", "8", "--lr", "2e-3");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("epoch  2/2"), r.out());
        assertTrue(r.out().contains("batch 8, 2 epochs, seed 1"), r.out());
        for (String f : List.of("config.json", "metrics.csv", "summary.json", "model.lenet5"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,train_accuracy,validation_accuracy,test_loss,test_accuracy,seconds,images_per_second",
                rows.get(0));
        assertEquals(3, rows.size(), "header and one row per epoch");
        JsonObject s = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        double acc = s.get("test_accuracy").getAsDouble();
        // 2 epochs on 10,000 images (seed 1, adam 2e-3 cosine, batch 8, 2 threads): 97.62% here
        // (1 epoch gives 96.6%, .ci/run's gate is 95% for that).
        assertTrue(acc >= 0.97 && acc <= 1.0, "test accuracy " + acc);
        assertEquals(2, s.get("epochs").getAsInt());
        assertEquals("cpu", s.get("backend").getAsString());
        assertEquals("flux", s.get("arch").getAsString());
        assertEquals(1, s.get("seed").getAsLong());
        assertTrue(s.get("train_seconds").getAsDouble() > 0);
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals(10000, c.get("train_images").getAsInt());
        assertEquals(1000, c.get("validation_images").getAsInt());
        assertEquals(2e-3, c.get("lr").getAsDouble(), 0.0, "stored as the decimal the user gave");
        Checkpoint model = CheckpointFile.read(out.resolve("model.lenet5"), ModelSpec.flux());
        assertEquals("mnist", model.metadata().get(Checkpoint.DATASET));
    }

    @Test
    void theSameSeedAndThreadsGiveTheSameMetricsAndAByteIdenticalCheckpoint(@TempDir Path tmp) throws IOException {
        CliRun a = train(tmp.resolve("a"), "--limit", "2000", "--epochs", "2", "--seed", "7");
        CliRun b = train(tmp.resolve("b"), "--limit", "2000", "--epochs", "2", "--seed", "7");
        CliRun c = train(tmp.resolve("c"), "--limit", "2000", "--epochs", "2", "--seed", "8");
        assertEquals(0, a.exitCode() + b.exitCode() + c.exitCode(), a.err() + b.err() + c.err());
        assertEquals(withoutTimings(Files.readString(tmp.resolve("a/metrics.csv"))),
                withoutTimings(Files.readString(tmp.resolve("b/metrics.csv"))));
        byte[] ma = Files.readAllBytes(tmp.resolve("a/model.lenet5"));
        assertArrayEquals(ma, Files.readAllBytes(tmp.resolve("b/model.lenet5")));
        assertFalse(Arrays.equals(ma, Files.readAllBytes(tmp.resolve("c/model.lenet5"))), "another seed, another model");
    }

    @Test
    void theRunHeaderSaysOneEpochNotOneEpochs() {
        assertEquals("1 epoch", TrainCommand.epochCount(1));
        assertEquals("12 epochs", TrainCommand.epochCount(12));
    }

    @Test
    void aDirectoryHoldingAMetricsFileIsRefusedAndLeftUntouched(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("metrics.csv"), "precious\n");
        CliRun r = train(out, "--limit", "100", "--epochs", "1");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: " + out.resolve("metrics.csv") + " exists and a new run would overwrite it"), r.err());
        assertEquals("precious\n", Files.readString(out.resolve("metrics.csv")));
        assertFalse(Files.exists(out.resolve(".lock")), "a refused directory gets no lock file");
    }

    @Test
    void anEarlierRunIsRefusedWithHowToResumeIt(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, train(out, "--limit", "100", "--epochs", "1").exitCode());
        byte[] model = Files.readAllBytes(out.resolve("model.lenet5"));
        CliRun again = train(out, "--limit", "100", "--epochs", "1");
        assertEquals(1, again.exitCode());
        assertEquals("error: " + out + " already holds a run (metrics.csv); choose another --out, remove it, or continue"
                + " it with: lenet5 train --resume " + out, again.err().strip());
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.lenet5")));
    }

    @Test
    void aUsersFileNamedLikeARunFileIsNeitherOverwrittenNorJoinedByALockFile(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), "mine\n");
        Files.writeString(out.resolve("notes.txt"), "notes\n");
        CliRun r = train(out, "--limit", "100", "--epochs", "1");
        assertEquals(1, r.exitCode(), r.out());
        assertEquals("error: " + out.resolve("config.json") + " exists and a new run would overwrite it; choose a new or"
                + " empty --out", r.err().strip());
        assertEquals("mine\n", Files.readString(out.resolve("config.json")));
        try (var entries = Files.list(out)) {
            assertEquals(List.of("config.json", "notes.txt"), entries.map(e -> e.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anEmptyOutIsAUsageError(@TempDir Path tmp) {
        CliRun r = CliRun.of("train", "--backend", "cpu", "--data-dir", dataDir.toString(), "--out", "");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("error: --out needs a directory name"), r.err());
    }

    @Test
    void aRunThatFailsBeforeTrainingLeavesNoEmptyDirectoryBehind(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--backend", "cpu", "--data-dir", dataDir.toString(), "--out", out.toString(),
                "--validation", "60000");
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("error: --validation 60000 leaves no training images"), r.err());
        assertFalse(Files.exists(out), "the directory this run created is gone again");
    }

    @Test
    void cudaWithoutAGpuFailsBeforeAnyDataIsRead(@TempDir Path tmp) {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.lenet5.backend.cuda.CudaProbe.probe().usable(),
                "this machine can run the CUDA backend, so there is no refusal to test");
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--backend", "cuda", "--data-dir", tmp.resolve("no-data").toString(),
                "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: CUDA backend unavailable: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("no-data")), "no data was fetched");
        assertFalse(Files.exists(out));
    }

    @Test
    void badOptionValuesAreUsageErrors(@TempDir Path tmp) {
        for (String[] bad : List.of(new String[]{"--epochs", "0"}, new String[]{"--batch-size", "-3"},
                new String[]{"--lr", "-1"}, new String[]{"--optimizer", "adagrad"}, new String[]{"--arch", "resnet"},
                new String[]{"--threads", "0"})) {
            CliRun r = train(tmp.resolve("x"), bad);  // refused before any data is read
            assertEquals(2, r.exitCode(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.err().startsWith("error: "), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertFalse(Files.exists(tmp.resolve("x/metrics.csv")));
        }
    }
}
