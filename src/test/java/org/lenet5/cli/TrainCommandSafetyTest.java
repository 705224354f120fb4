package org.lenet5.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.RunDirectory;
import org.lenet5.train.TrainConfig;
import org.lenet5.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What lenet5 train refuses, and how: settings that would change a resumed run, directories that are not runs,
 * in use or not writable, checkpoints and metrics that do not belong together, and a diverging run.
 * The run directories here are written through RunDirectory itself (no training needed to test a refusal).
 */
class TrainCommandSafetyTest {

    @TempDir Path tmp;

    static final TrainConfig CONFIG = new TrainConfig(Architecture.FLUX, "mnist", 2, 32, 1e-3f,
            OptimizerSettings.of(OptimizerKind.SGD, 0f), LrSchedule.CONSTANT, 1, 50, 10,
            new BackendOptions(BackendKind.REFERENCE, 1, false));

    /** A run directory as lenet5 train leaves it after `epochs` of CONFIG's epochs (with the seed's initial weights). */
    static Path storedRun(Path dir, TrainConfig c, int epochs) {
        try (RunDirectory rd = RunDirectory.createNew(dir, c.dataset())) {
            Map<String, Object> cfg = c.toMap();
            cfg.put(RunDirectory.BACKEND_USED, "reference");
            cfg.put(RunDirectory.TRAIN_IMAGES, 50);
            rd.writeConfig(c, cfg);
            ModelSpec spec = ModelSpec.flux();
            try (ReferenceBackend b = new ReferenceBackend(spec, Preprocessing.forArchitecture(Architecture.FLUX, 28, 28), 32)) {
                b.setParameters(Initializer.initialParameters(spec, c.seed()));
                for (int e = 1; e <= epochs; e++)
                    rd.epochDone(new EpochMetrics(e, 2.0, 0.1, 0.1, 2.0, 0.1, 1.0, 50.0), new Trainer.TrainingState(e, 2L * e), b);
            }
        }
        return dir;
    }

    private String[] train(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "train";
        all[1] = "--data-dir";
        all[2] = TestData.dataDir().toAbsolutePath().toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Test
    void resumeRefusesASettingThatWouldChangeTheRun() {
        Path dir = storedRun(tmp.resolve("run"), CONFIG, 1);
        String config = dir.resolve(RunDirectory.CONFIG).toString();
        String rest = "; --resume continues a run with its own settings (only --data-dir, --no-verify and --checkpoint-every"
                + " may change); to train differently, start a new run";
        CliRun lr = CliRun.of(train("--resume", dir.toString(), "--lr", "0.01"));
        assertEquals(2, lr.exitCode(), "a usage error");
        assertEquals("error: --lr 0.01 differs from the run's lr 0.001 (" + config + ")" + rest, firstLine(lr.err()));
        CliRun epochs = CliRun.of(train("--resume", dir.toString(), "--epochs", "5"));
        assertEquals(2, epochs.exitCode());
        assertEquals("error: --epochs 5 differs from the run's epochs 2 (" + config + ")" + rest, firstLine(epochs.err()));
        CliRun backend = CliRun.of(train("--resume", dir.toString(), "--backend", "cpu"));
        assertEquals(2, backend.exitCode());
        assertTrue(backend.err().startsWith("error: --backend cpu differs from the run's backend reference"), backend.err());
        CliRun out = CliRun.of(train("--resume", dir.toString(), "--out", tmp.resolve("elsewhere").toString()));
        assertEquals(2, out.exitCode());
        assertEquals("error: --out and --resume cannot be combined: a resumed run stays in its directory", firstLine(out.err()));
    }

    @Test
    void impossibleSettingsAreUsageErrors() {
        CliRun epochs = CliRun.of(train("--out", tmp.resolve("a").toString(), "--epochs", "0"));
        assertEquals(2, epochs.exitCode());
        assertEquals("error: --epochs must be at least 1 (got 0)", firstLine(epochs.err()));
        CliRun every = CliRun.of(train("--out", tmp.resolve("b").toString(), "--checkpoint-every", "-5"));
        assertEquals(2, every.exitCode());
        assertEquals("error: --checkpoint-every must be zero or positive", firstLine(every.err()));
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "nothing is created");
    }

    @Test
    void resumeAcceptsSettingsEqualToTheRunsAndRefusesAFinishedRun() {
        Path dir = storedRun(tmp.resolve("finished"), CONFIG, 2);
        try (RunDirectory rd = RunDirectory.openForResume(dir)) {
            rd.writeSummary(Map.of("epochs", 2));
        }
        // Equal values pass the settings check, and the run is refused for the next reason: it is complete.
        CliRun r = CliRun.of(train("--resume", dir.toString(), "--lr", "0.001", "--epochs", "2", "--seed", "1",
                "--backend", "reference", "--optimizer", "sgd", "--checkpoint-every", "7"));
        assertEquals(1, r.exitCode());
        assertEquals("error: " + dir + ": the run already finished its 2 epochs (summary.json); there is nothing to resume",
                firstLine(r.err()));
    }

    @Test
    void resumeOfSomethingThatIsNotARunDirectoryIsRefusedWithItsName() throws IOException {
        Path missing = tmp.resolve("missing");
        CliRun a = CliRun.of(train("--resume", missing.toString()));
        assertEquals(1, a.exitCode());
        assertEquals("error: " + missing + " does not exist; --resume takes the run directory of an earlier lenet5 train",
                firstLine(a.err()));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun b = CliRun.of(train("--resume", empty.toString()));
        assertEquals(1, b.exitCode());
        assertEquals("error: " + empty + " has no config.json; it is not a lenet5 run directory", firstLine(b.err()));
    }

    @Test
    void checkpointOfAnotherRunIsRefused() throws IOException {
        Path mine = storedRun(tmp.resolve("seed1"), CONFIG, 1);
        TrainConfig other = new TrainConfig(CONFIG.arch(), CONFIG.dataset(), CONFIG.epochs(), CONFIG.batchSize(), CONFIG.lr(),
                CONFIG.optimizer(), CONFIG.schedule(), 2, CONFIG.limit(), CONFIG.validation(), CONFIG.backend());
        Path theirs = storedRun(tmp.resolve("seed2"), other, 1);
        Files.copy(theirs.resolve(RunDirectory.MODEL), mine.resolve(RunDirectory.MODEL), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun r = CliRun.of(train("--resume", mine.toString()));
        assertEquals(1, r.exitCode());
        assertEquals("error: " + mine.resolve(RunDirectory.MODEL) + " was trained with seed 2 but config.json says seed 1;"
                + " the two files are not from the same run", firstLine(r.err()));
    }

    @Test
    void metricsRowsMissingForCheckpointedEpochsAreRefused() throws IOException {
        Path dir = storedRun(tmp.resolve("run"), CONFIG, 2);
        Files.writeString(dir.resolve(RunDirectory.METRICS), EpochMetrics.CSV_HEADER + "\n"
                + Files.readAllLines(dir.resolve(RunDirectory.METRICS)).get(1) + "\n");
        CliRun r = CliRun.of(train("--resume", dir.toString()));
        assertEquals(1, r.exitCode());
        assertEquals("error: " + dir.resolve(RunDirectory.METRICS) + " has 1 epoch row but the checkpoint "
                + dir.resolve(RunDirectory.MODEL) + " is after epoch 2; the metrics of the missing epochs cannot be recovered",
                firstLine(r.err()));
    }

    @Test
    void aSecondTrainingOnADirectoryInUseIsRefusedAndTheLockEndsWithTheRun() {
        Path dir = tmp.resolve("busy");
        String inUse = "error: " + dir + " is in use by another lenet5 train (process " + ProcessHandle.current().pid()
                + "); two trainings never share a run directory: wait for it to end or stop it, or choose another directory";
        try (RunDirectory running = RunDirectory.createNew(dir, "mnist")) {
            running.writeConfig(CONFIG, CONFIG.toMap());
            CliRun fresh = CliRun.of(train("--out", dir.toString(), "--backend", "reference"));
            assertEquals(1, fresh.exitCode());
            assertEquals(inUse, firstLine(fresh.err()));
            CliRun resumed = CliRun.of(train("--resume", dir.toString()));
            assertEquals(1, resumed.exitCode());
            assertEquals(inUse, firstLine(resumed.err()));
        }
        // Released: the directory opens again (for a resume: it holds a config but no checkpoint yet).
        try (RunDirectory again = RunDirectory.openForResume(dir)) {
            assertEquals(Trainer.TrainingState.START, again.readStored().state());
        }
    }

    @Test
    void outputDirectoryThatCannotBeCreatedIsReportedBeforeTraining() throws IOException {
        // Tests run as root here, so permissions would not stop a write; a path through a regular file, and /proc
        // (where not even root can create a directory), fail for everyone.
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        Path underFile = file.resolve("run");
        CliRun a = CliRun.of(train("--out", underFile.toString(), "--backend", "reference"));
        assertEquals(1, a.exitCode());
        assertTrue(firstLine(a.err()).startsWith("error: " + underFile + ": cannot write the run directory ("), a.err());
        Path inProc = Path.of("/proc/lenet5-no-such-dir/run");
        CliRun b = CliRun.of(train("--out", inProc.toString(), "--backend", "reference"));
        assertEquals(1, b.exitCode());
        assertTrue(firstLine(b.err()).startsWith("error: " + inProc + ": cannot write the run directory ("), b.err());
        assertFalse(Files.exists(inProc));
    }

    @Test
    void divergingRunStopsWithItsEpochStepLrAndBatchSizeAndWritesNoCheckpoint() {
        Path dir = tmp.resolve("diverge");
        CliRun r = CliRun.of(train("--out", dir.toString(), "--backend", "reference", "--limit", "200", "--validation", "100",
                "--epochs", "2", "--batch-size", "32", "--optimizer", "sgd", "--lr", "1e6", "--lr-schedule", "constant"));
        assertEquals(1, r.exitCode(), r.err());
        String line = firstLine(r.err());
        assertTrue(line.matches("error: diverged at epoch 1, step [1-7] \\(lr=1000000\\.0, batch-size=32\\): "
                + "(the training loss is (NaN|-?Infinity)|parameter [a-z0-9.]+ is (NaN|-?Infinity)"
                + "|optimizer state \\d of [a-z0-9.]+ is (NaN|-?Infinity)); no checkpoint was written"), line);
        assertFalse(Files.exists(dir.resolve(RunDirectory.MODEL)), "nothing diverged is saved");
        assertFalse(Files.exists(dir.resolve(RunDirectory.METRICS)));
        assertFalse(Files.exists(dir.resolve(RunDirectory.SUMMARY)));
    }

    /** Writes the four IDX files of an mnist dataset of random h x w images under root/mnist. */
    private static Path smallImagesDataset(Path root, int h, int w) throws IOException {
        Path dir = Files.createDirectories(root.resolve("mnist"));
        java.util.Random r = new java.util.Random(1);
        for (String[] f : new String[][]{{"train", "20"}, {"t10k", "5"}}) {
            int n = Integer.parseInt(f[1]);
            java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + n * h * w).putInt(0x803).putInt(n).putInt(h).putInt(w);
            java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n * h * w; i++) images.put((byte) r.nextInt(256));
            for (int i = 0; i < n; i++) labels.put((byte) r.nextInt(10));
            Files.write(dir.resolve(f[0] + "-images-idx3-ubyte"), images.array());
            Files.write(dir.resolve(f[0] + "-labels-idx1-ubyte"), labels.array());
        }
        return dir;
    }

    @Test
    void imagesTooSmallForTheArchitectureAreRefusedNamingTheirDirectory() throws IOException {
        // Classic pads by 2, so 12x12 images fit it (16x16 input) but not flux; 11x11 fit neither.
        Path data = tmp.resolve("data");
        Path dir = smallImagesDataset(data, 12, 12);
        for (String arch : new String[]{"flux", "classic"}) {
            Path out = tmp.resolve("run-" + arch);
            CliRun r = CliRun.of("train", "--data-dir", data.toString(), "--no-verify", "--arch", arch, "--validation", "5",
                    "--epochs", "1", "--backend", "cpu", "--out", out.toString());
            if (arch.equals("classic")) {
                assertEquals(0, r.exitCode(), r.err());
                continue;
            }
            assertEquals(1, r.exitCode(), r.err());
            assertEquals("error: " + dir + " holds 12x12 images; --arch flux takes images of 16 to 4096 pixels a side",
                    r.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(r.err()));
            assertFalse(Files.exists(out), "a refused run leaves no directory");
        }
        smallImagesDataset(data, 11, 11);
        CliRun r = CliRun.of("train", "--data-dir", data.toString(), "--no-verify", "--arch", "classic", "--validation", "5",
                "--epochs", "1", "--backend", "cpu", "--out", tmp.resolve("run-11").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("error: " + dir + " holds 11x11 images; --arch classic takes images of 12 to 4092 pixels"
                + " a side (it pads them by 2)\n"), r.err());
    }
}
