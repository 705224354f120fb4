package org.lenet5.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.train.RunDirectory;
import org.lenet5.train.Trainer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * lenet5 train as a real child process (java -cp <the test class path> org.lenet5.cli.Main train ...), stopped the
 * ways a real run stops: SIGKILL after epoch 2, SIGKILL in the middle of epoch 3 (--checkpoint-every), Ctrl-C
 * (SIGINT), and a file-size limit that makes a checkpoint write fail like a full disk. Each time the run is then
 * resumed and must end with the same metrics (all but seconds and images/s) and a byte-identical final checkpoint
 * as the uninterrupted run. Waits are for files and output lines to appear, never fixed sleeps; the deadline only
 * guards against a hang.
 */
class TrainProcessTest {

    /** 3,000 MNIST images, 4 epochs of 94 steps at batch 32, cpu backend on 2 threads (results depend on the count). */
    static final List<String> RUN = List.of("--backend", "cpu", "--threads", "2", "--limit", "3000",
            "--validation", "500", "--epochs", "4", "--seed", "7", "--batch-size", "32");
    static final long STEPS_PER_EPOCH = 94;
    static final long DEADLINE_SECONDS = 300;

    @TempDir static Path shared;
    static Path dataDir;
    static byte[] baselineModel;
    static List<String> baselineMetrics;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        dataDir = TestData.dataDir().toAbsolutePath();
        Path dir = shared.resolve("uninterrupted");
        CliRun r = CliRun.of(train(RUN, "--out", dir.toString()));
        assertEquals(0, r.exitCode(), r.err());
        baselineModel = Files.readAllBytes(dir.resolve(RunDirectory.MODEL));
        baselineMetrics = metricsWithoutTimes(dir);
        assertEquals(5, baselineMetrics.size(), "header and 4 epochs");
    }

    @Test
    void sigkillAfterEpoch2ThenResumeEndsIdenticalToTheUninterruptedRun() throws Exception {
        Path dir = shared.resolve("sigkill");
        Child child = Child.start(dir, train(RUN, "--out", dir.toString()));
        child.await("the checkpoint of epoch 2", () -> epochsDone(dir) >= 2);
        child.process.destroyForcibly();   // SIGKILL on Linux
        assertTrue(child.process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertEquals(128 + 9, child.process.exitValue(), "killed by SIGKILL");
        Trainer.TrainingState at = position(dir);
        System.out.printf("SIGKILL after epoch 2: the checkpoint was at %s; metrics.csv had %d rows%n",
                RunDirectory.describe(at), Files.readAllLines(dir.resolve(RunDirectory.METRICS)).size() - 1);

        resumeInProcess(dir);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void sigkillInTheMiddleOfAnEpochResumesFromTheLastStepCheckpoint() throws Exception {
        Path dir = shared.resolve("sigkill-mid-epoch");
        Child child = Child.start(dir, train(RUN, "--out", dir.toString(), "--checkpoint-every", "10"));
        child.await("a checkpoint inside epoch 3", () -> {
            Trainer.TrainingState s = position(dir);
            return s != null && s.epochsDone() == 2 && s.step() > 2 * STEPS_PER_EPOCH;
        });
        child.process.destroyForcibly();
        assertTrue(child.process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS));
        Trainer.TrainingState at = position(dir);
        System.out.printf("SIGKILL in epoch 3: the checkpoint was at %s%n", RunDirectory.describe(at));
        assertEquals(0, at.step() % 10, "checkpoints every 10 steps");

        resumeInProcess(dir);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void ctrlCWritesACheckpointExits130AndSaysHowToResume_andTheLockRefusesASecondTraining() throws Exception {
        Path dir = shared.resolve("sigint");
        Child child = Child.start(dir, train(RUN, "--out", dir.toString()));
        child.await("the line of epoch 1", () -> child.out().contains("epoch  1/4"));

        // While it runs, a second training on the same directory is refused, naming the process that holds it.
        String inUse = dir + " is in use by another lenet5 train (process " + child.process.pid() + ")";
        CliRun second = CliRun.of(train(List.of(), "--resume", dir.toString()));
        assertEquals(1, second.exitCode());
        assertTrue(second.err().startsWith("error: " + inUse), second.err());
        CliRun third = CliRun.of(train(RUN, "--out", dir.toString()));
        assertEquals(1, third.exitCode());
        assertTrue(third.err().startsWith("error: " + inUse), third.err());

        Process kill = new ProcessBuilder("sh", "-c", "kill -INT " + child.process.pid()).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(child.process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "the run stops after Ctrl-C");
        assertEquals(130, child.process.exitValue(), child.err());
        assertTrue(child.err().contains("SIGINT: finishing the current step and writing a checkpoint"), child.err());
        assertTrue(child.err().contains("continue with: lenet5 train --resume " + dir + "\n"), child.err());
        Trainer.TrainingState at = position(dir);
        assertTrue(child.err().contains("stopped (SIGINT) after " + RunDirectory.describe(at) + "; checkpoint "
                + dir.resolve(RunDirectory.MODEL)), child.err());
        assertFalse(Files.exists(dir.resolve(RunDirectory.SUMMARY)));
        System.out.printf("SIGINT after epoch 1: stopped at %s%n", RunDirectory.describe(at));

        resumeInProcess(dir);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void checkpointWriteFailingLikeAFullDiskNamesTheFileAndKeepsThePreviousCheckpoint() throws Exception {
        Path dir = shared.resolve("disk-full");
        Path model = dir.resolve(RunDirectory.MODEL);
        Child child = Child.start(dir, train(RUN, "--out", dir.toString()));
        child.await("the checkpoint of epoch 1", () -> epochsDone(dir) >= 1);
        // From now on no file of the process may grow past 100 kB (RLIMIT_FSIZE): a 534 kB checkpoint write fails with
        // EFBIG "File too large" at the write, as it would with ENOSPC on a full disk; metrics.csv still fits.
        // (Permissions cannot make this fail: the tests run as root.)
        Process limit = new ProcessBuilder("prlimit", "--pid", Long.toString(child.process.pid()), "--fsize=100000")
                .inheritIO().start();
        assertEquals(0, limit.waitFor(), "prlimit (util-linux) sets the child's file size limit");
        assertTrue(child.process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, child.process.exitValue(), child.err());

        Trainer.TrainingState kept = position(dir);   // a complete, valid checkpoint (the read checks its CRC)
        String error = "error: cannot write checkpoint " + model.toAbsolutePath().normalize() + ": File too large";
        String err = child.err();
        assertTrue(err.contains(error), err);
        assertTrue(err.contains("; the previous checkpoint (" + RunDirectory.describe(kept) + ") is kept\n"), err);
        assertTrue(kept.epochsDone() >= 1 && kept.epochsDone() < 4);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).collect(Collectors.toList()),
                    "the failed write leaves no temporary file");
        }
        System.out.printf("file size limit after epoch 1: the write failed, %s kept%n", RunDirectory.describe(kept));

        resumeInProcess(dir);
        assertSameAsUninterrupted(dir);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String[] train(List<String> options, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data-dir", dataDir.toString()));
        args.addAll(options);
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    static void resumeInProcess(Path dir) {
        CliRun r = CliRun.of(train(List.of(), "--resume", dir.toString()));
        assertEquals(0, r.exitCode(), r.err());
    }

    static void assertSameAsUninterrupted(Path dir) throws IOException {
        assertEquals(baselineMetrics, metricsWithoutTimes(dir), "metrics.csv of the resumed run");
        assertArrayEquals(baselineModel, Files.readAllBytes(dir.resolve(RunDirectory.MODEL)),
                "the resumed run's final checkpoint is byte-identical to the uninterrupted run's");
    }

    /** metrics.csv without its last two columns (seconds, images_per_second: wall time). */
    static List<String> metricsWithoutTimes(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(RunDirectory.METRICS)).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1)))
                .collect(Collectors.toList());
    }

    /** The position of the run's checkpoint, or null before the first one (every write is atomic: it reads whole). */
    static Trainer.TrainingState position(Path dir) {
        Path model = dir.resolve(RunDirectory.MODEL);
        if (!Files.exists(model)) return null;
        Checkpoint c = CheckpointFile.read(model);
        return new Trainer.TrainingState(Integer.parseInt(c.get(RunDirectory.EPOCHS_DONE)),
                Long.parseLong(c.get(RunDirectory.STEP)));
    }

    static int epochsDone(Path dir) {
        Trainer.TrainingState s = position(dir);
        return s == null ? 0 : s.epochsDone();
    }

    /** A lenet5 JVM started from this test JVM's class path, its output in files (no pipe to fill up). */
    record Child(Process process, Path stdout, Path stderr) {

        static Child start(Path dir, String... args) throws IOException {
            Path logs = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-logs"));
            List<String> cmd = new ArrayList<>();
            // A process started with SIGINT ignored (nohup, a background job of a script, some CI runners) passes
            // that on, and the JVM rightly keeps ignoring it, as Unix programs do. The child stands for a training
            // started at a terminal, so its SIGINT is reset to the default first (coreutils env, which then execs
            // java: same pid).
            cmd.addAll(List.of("env", "--default-signal=INT"));
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(moduleOptions());
            cmd.add("-Xmx1g");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.addAll(List.of(args));
            Path out = logs.resolve("stdout"), err = logs.resolve("stderr");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Child(p, out, err);
        }

        /** The module options this JVM runs with (the cpu backend's --add-modules jdk.incubator.vector). */
        static List<String> moduleOptions() {
            List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments(), keep = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                String a = in.get(i);
                if (a.startsWith("--add-modules=") || a.startsWith("--enable-native-access")) keep.add(a);
                else if (a.equals("--add-modules") && i + 1 < in.size()) {
                    keep.add(a);
                    keep.add(in.get(++i));
                }
            }
            return keep;
        }

        String out() { return read(stdout); }

        String err() { return read(stderr); }

        private static String read(Path p) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        /** Polls until the condition holds; fails at once if the child ends first, or after the deadline. */
        void await(String what, BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            while (!condition.getAsBoolean()) {
                if (!process.isAlive())
                    fail("waiting for " + what + ": the training ended first (exit " + process.exitValue() + "): " + err());
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    fail("waiting for " + what + ": nothing after " + DEADLINE_SECONDS + " s; stderr: " + err());
                }
                Thread.sleep(5);   // polling interval, not a timing assumption
            }
        }
    }
}
