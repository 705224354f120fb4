package org.lenet5.train;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lenet5.TestData;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.util.AtomicFiles;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Resume from every kind of place a run can stop, in process and at exact steps: a stop request (what Ctrl-C
 * does) after a chosen step, a crash after a chosen step with and without --checkpoint-every, a crash before the
 * first checkpoint, and a checkpoint write that fails after metrics.csv got its row. Each resumed run must end with
 * the same metrics (all but seconds and images/s) and a byte-identical checkpoint as the uninterrupted run.
 * The cpu backend: its parameters and optimizer state are float32, so the checkpoint holds them exactly.
 * The real-process versions (SIGKILL, SIGINT, a full disk) are in cli.TrainProcessTest.
 */
class ResumeKillPointsTest {

    /** 1,000 training images at batch 32: 32 steps per epoch (the last of 8 images), 96 in all. */
    static final TrainConfig CONFIG = new TrainConfig(Architecture.FLUX, "mnist", 3, 32, 1e-3f,
            OptimizerSettings.of(OptimizerKind.ADAM, 0f), LrSchedule.COSINE, 11, 1000, 200,
            new BackendOptions(BackendKind.CPU, 2, false));
    static final long STEPS_PER_EPOCH = 32;
    static final PrintStream NOTICES = new PrintStream(OutputStream.nullOutputStream());

    @TempDir static Path shared;
    static DataSplits data;
    static byte[] baselineModel;
    static List<String> baselineMetrics;

    /** Thrown from the listener to stand for a kill: nothing after it is written. */
    static final class Killed extends RuntimeException {
        Killed() { super("killed by the test"); }
    }

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        TrainTestData mnist = TestData.mnist();
        data = DataSplits.of(mnist.train(), mnist.test().slice("mnist/test[0:1000]", 0, 1000), 200, 1000);
        Path dir = shared.resolve("uninterrupted");
        TrainingRun.Outcome o = TrainingRun.run(CONFIG, data, RunDirectory.createNew(dir, "mnist"),
                TrainingListener.SILENT, NOTICES, new StopRequest(), 0);
        assertFalse(o.stopped());
        assertEquals(3 * STEPS_PER_EPOCH, o.state().step());
        baselineModel = Files.readAllBytes(dir.resolve(RunDirectory.MODEL));
        baselineMetrics = metricsWithoutTimes(dir);
        assertEquals(4, baselineMetrics.size(), "header and 3 epochs");
    }

    /** metrics.csv without its last two columns (seconds, images_per_second: wall time). */
    static List<String> metricsWithoutTimes(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(RunDirectory.METRICS)).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1)))
                .collect(Collectors.toList());
    }

    static TrainingRun.Outcome resume(Path dir) {
        RunDirectory rd = RunDirectory.openForResume(dir);
        return TrainingRun.resume(rd, rd.readStored(), data, TrainingListener.SILENT, NOTICES, new StopRequest(), 0);
    }

    static void assertSameAsUninterrupted(Path dir) throws IOException {
        assertEquals(baselineMetrics, metricsWithoutTimes(dir), "metrics.csv of the resumed run");
        assertArrayEquals(baselineModel, Files.readAllBytes(dir.resolve(RunDirectory.MODEL)),
                "the resumed run's final checkpoint is byte-identical");
        assertTrue(Files.exists(dir.resolve(RunDirectory.SUMMARY)));
    }

    /** A listener that calls action(k) after the k-th step of this process (k from 1). */
    static TrainingListener afterStep(java.util.function.LongConsumer action) {
        return new TrainingListener() {
            long steps;

            @Override public void batchFinished(int images, double runningLoss) { action.accept(++steps); }
        };
    }

    @ParameterizedTest(name = "stop after step {0}")
    // 1: the first step; 20: mid-epoch; 32: the last step of epoch 1, before its evaluation; 33: the first of
    // epoch 2; 64: the end of epoch 2; 95: the second-to-last step of the run.
    @ValueSource(longs = {1, 20, 32, 33, 64, 95})
    void stopRequestAfterAnyStepWritesACheckpointThatResumesExactly(long k) throws IOException {
        Path dir = shared.resolve("stop-" + k);
        StopRequest stop = new StopRequest();
        TrainingRun.Outcome o = TrainingRun.run(CONFIG, data, RunDirectory.createNew(dir, "mnist"),
                afterStep(s -> { if (s == k) stop.request("test"); }), NOTICES, stop, 0);
        assertTrue(o.stopped());
        assertEquals(k, o.state().step(), "stopped right after the step that was running");
        Checkpoint c = CheckpointFile.read(dir.resolve(RunDirectory.MODEL));
        assertEquals(Long.toString(k), c.get(RunDirectory.STEP));
        assertEquals(Long.toString((k - 1) / STEPS_PER_EPOCH), c.get(RunDirectory.EPOCHS_DONE),
                "an epoch counts as done only once evaluated");
        assertEquals(2, c.optimizerState().length, "Adam's m and v are saved");
        assertFalse(Files.exists(dir.resolve(RunDirectory.SUMMARY)), "a stopped run has no summary");

        TrainingRun.Outcome r = resume(dir);
        assertFalse(r.stopped());
        assertEquals(3, r.epochs().size(), "the metrics of the earlier epochs are kept");
        assertSameAsUninterrupted(dir);
    }

    @Test
    void crashBetweenCheckpointsResumesFromTheLastMidEpochCheckpoint() throws IOException {
        Path dir = shared.resolve("crash-45");
        assertThrows(Killed.class, () -> TrainingRun.run(CONFIG, data, RunDirectory.createNew(dir, "mnist"),
                afterStep(s -> { if (s == 45) throw new Killed(); }), NOTICES, new StopRequest(), 10));
        Checkpoint c = CheckpointFile.read(dir.resolve(RunDirectory.MODEL));
        assertEquals("40", c.get(RunDirectory.STEP), "--checkpoint-every 10: the last checkpoint is step 40");
        assertEquals("1", c.get(RunDirectory.EPOCHS_DONE));
        assertNotEquals("0.0", c.get(RunDirectory.EPOCH_LOSS_SUM), "the epoch's loss so far is saved");
        assertEquals(2, Files.readAllLines(dir.resolve(RunDirectory.METRICS)).size(), "header and epoch 1");

        resume(dir);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void crashBeforeTheFirstCheckpointResumesFromTheStart() throws IOException {
        Path dir = shared.resolve("crash-5");
        assertThrows(Killed.class, () -> TrainingRun.run(CONFIG, data, RunDirectory.createNew(dir, "mnist"),
                afterStep(s -> { if (s == 5) throw new Killed(); }), NOTICES, new StopRequest(), 0));
        assertFalse(Files.exists(dir.resolve(RunDirectory.MODEL)));

        resume(dir);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void failedCheckpointWriteKeepsThePreviousOneAndResumeDropsTheOrphanMetricsRow() throws IOException {
        Path dir = shared.resolve("write-fails");
        Path model = dir.resolve(RunDirectory.MODEL);
        byte[][] afterEpoch1 = new byte[1][];
        // At the end of epoch 2 a directory takes the place of the checkpoint's temporary file, so the write fails
        // (as on a full disk: an IOException at the write) after metrics.csv got epoch 2's row.
        TrainingListener blocker = new TrainingListener() {
            @Override public void epochStarted(int epoch, int epochs, int images) {
                if (epoch == 2) afterEpoch1[0] = read(model);
            }

            @Override public void epochFinished(EpochMetrics m, int epochs) {
                if (m.epoch() == 2) mkdirs(AtomicFiles.temporaryFileFor(model));
            }
        };
        UserException e = assertThrows(UserException.class, () -> TrainingRun.run(CONFIG, data,
                RunDirectory.createNew(dir, "mnist"), blocker, NOTICES, new StopRequest(), 0));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + model + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; the previous checkpoint (step 32 (1 epoch done)) is kept"), e.getMessage());
        assertArrayEquals(afterEpoch1[0], read(model), "the epoch-1 checkpoint is untouched");
        assertEquals(3, Files.readAllLines(dir.resolve(RunDirectory.METRICS)).size(), "epoch 2's row was written first");

        Files.delete(AtomicFiles.temporaryFileFor(model));
        RunDirectory rd = RunDirectory.openForResume(dir);
        RunDirectory.Stored stored = rd.readStored();
        assertEquals(new Trainer.TrainingState(1, 32), stored.state());
        assertEquals(2, Files.readAllLines(dir.resolve(RunDirectory.METRICS)).size(),
                "the row of epoch 2, which has no checkpoint, is dropped as soon as the run is opened");
        TrainingRun.resume(rd, stored, data, TrainingListener.SILENT, NOTICES, new StopRequest(), 0);
        assertSameAsUninterrupted(dir);
    }

    @Test
    void runKilledAfterItsLastCheckpointButBeforeItsSummaryOnlyWritesTheSummary() throws IOException {
        Path dir = shared.resolve("no-summary");
        TrainingRun.run(CONFIG, data, RunDirectory.createNew(dir, "mnist"), TrainingListener.SILENT, NOTICES,
                new StopRequest(), 0);
        Files.delete(dir.resolve(RunDirectory.SUMMARY));
        TrainingListener noTraining = new TrainingListener() {
            @Override public void epochStarted(int epoch, int epochs, int images) { fail("trained epoch " + epoch); }
        };
        RunDirectory rd = RunDirectory.openForResume(dir);
        TrainingRun.Outcome o = TrainingRun.resume(rd, rd.readStored(), data, noTraining, NOTICES, new StopRequest(), 0);
        assertEquals(3, o.epochs().size());
        assertSameAsUninterrupted(dir);
        UserException again;
        try (RunDirectory finished = RunDirectory.openForResume(dir)) {
            again = assertThrows(UserException.class, finished::readStored);
        }
        assertEquals(dir + ": the run already finished its 3 epochs (summary.json); there is nothing to resume",
                again.getMessage());
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
