package org.lenet5.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.BatchResult;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.testing.RandomData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run whose loss, parameters or optimizer state stop being finite stops with "diverged at epoch E, step S
 * (lr=..., batch-size=...)" and leaves the last good checkpoint and metrics as they were. The NaN is put in by a
 * backend wrapper at a chosen step, so each check is reached on purpose (a NaN weight put in at an epoch's last step
 * is never seen by a loss: only the parameter check catches it). The end-to-end run with --lr 1e6 is in
 * cli.TrainCommandSafetyTest.
 */
class DivergenceTest {

    @TempDir Path tmp;

    /** 50 random images at batch 10: 5 steps per epoch; constant lr 0.01. */
    static TrainConfig config(OptimizerKind kind) {
        return new TrainConfig(Architecture.FLUX, "random", 3, 10, 0.01f, OptimizerSettings.of(kind, 0f),
                LrSchedule.CONSTANT, 3, 0, 0, new BackendOptions(BackendKind.REFERENCE, 1, false));
    }

    enum Poison { PARAMETER, OPTIMIZER_STATE }

    /** The reference backend, with one value made non-finite right after the optimizer step numbered poisonStep. */
    static final class PoisonedBackend implements Backend {
        final ReferenceBackend inner;
        final long poisonStep;
        final Poison what;

        PoisonedBackend(ModelSpec spec, long poisonStep, Poison what) {
            this.inner = new ReferenceBackend(spec, Preprocessing.forArchitecture(spec.arch(), 28, 28), 32);
            this.poisonStep = poisonStep;
            this.what = what;
        }

        @Override public void update(OptimizerSettings o, float lr, long step) {
            inner.update(o, lr, step);
            if (step != poisonStep) return;
            ParameterLayout layout = inner.layout();
            if (what == Poison.PARAMETER) {
                float[] p = new float[layout.size()];
                inner.getParameters(p);
                p[layout.fc3B.offset()] = Float.NaN;
                inner.setParameters(p);
            } else {
                float[][] s = inner.getOptimizerState();
                s[1][layout.conv1W.offset() + 3] = Float.POSITIVE_INFINITY;
                inner.setOptimizerState(s);
            }
        }

        @Override public String name() { return "poisoned"; }
        @Override public ModelSpec spec() { return inner.spec(); }
        @Override public Preprocessing preprocessing() { return inner.preprocessing(); }
        @Override public ParameterLayout layout() { return inner.layout(); }
        @Override public int maxBatchSize() { return inner.maxBatchSize(); }
        @Override public void setParameters(float[] flat) { inner.setParameters(flat); }
        @Override public void getParameters(float[] flat) { inner.getParameters(flat); }
        @Override public void getGradients(float[] flat) { inner.getGradients(flat); }
        @Override public BatchResult forwardBackward(Dataset d, int[] o, int from, int n) { return inner.forwardBackward(d, o, from, n); }
        @Override public BatchResult evaluate(Dataset d, int[] o, int from, int n, float[] p) { return inner.evaluate(d, o, from, n, p); }
        @Override public float[] readOutput(LayerOutput which) { return inner.readOutput(which); }
        @Override public float[][] getOptimizerState() { return inner.getOptimizerState(); }
        @Override public void setOptimizerState(float[][] state) { inner.setOptimizerState(state); }
        @Override public void close() { inner.close(); }
    }

    /** Trains into a run directory until the divergence; returns its message after checking what stayed on disk. */
    private String divergeAt(long poisonStep, Poison what, OptimizerKind kind) throws IOException {
        TrainConfig c = config(kind);
        Path dir = tmp.resolve(what + "-" + poisonStep);
        Dataset train = RandomData.images(1, 50, 28, 28), test = RandomData.images(2, 20, 28, 28);
        ModelSpec spec = ModelSpec.flux();
        byte[][] epoch1 = new byte[1][];
        TrainingListener keepEpoch1 = new TrainingListener() {
            @Override public void epochStarted(int epoch, int epochs, int images) {
                if (epoch == 2) epoch1[0] = read(dir.resolve(RunDirectory.MODEL));
            }
        };
        try (RunDirectory rd = RunDirectory.createNew(dir, "random");
             PoisonedBackend b = new PoisonedBackend(spec, poisonStep, what)) {
            rd.writeConfig(c, c.toMap());
            b.setParameters(Initializer.initialParameters(spec, c.seed()));
            Trainer t = new Trainer(c, b, train, null, test, 32);
            DivergedException e = assertThrows(DivergedException.class,
                    () -> t.run(Trainer.TrainingState.START, keepEpoch1, rd, new StopRequest(), 0));
            assertEquals(2, e.epoch());
            assertArrayEquals(epoch1[0], read(dir.resolve(RunDirectory.MODEL)), "the epoch-1 checkpoint is not overwritten");
            assertEquals(2, Files.readAllLines(dir.resolve(RunDirectory.METRICS)).size(), "header and epoch 1 only");
            assertEquals("the last good checkpoint (step 5 (1 epoch done)) is kept in " + dir.resolve(RunDirectory.MODEL),
                    rd.savedCheckpointNote());
            return e.getMessage();
        }
    }

    @Test
    void nanLossStopsAtTheStepThatProducedIt() throws IOException {
        assertEquals("diverged at epoch 2, step 8 (lr=0.01, batch-size=10): the training loss is NaN",
                divergeAt(7, Poison.PARAMETER, OptimizerKind.SGD));
    }

    @Test
    void nanParameterThatNoLossSawIsCaughtBeforeTheCheckpoint() throws IOException {
        assertEquals("diverged at epoch 2, step 10 (lr=0.01, batch-size=10): parameter fc3.bias is NaN",
                divergeAt(10, Poison.PARAMETER, OptimizerKind.SGD));
    }

    @Test
    void infiniteOptimizerStateIsCaughtBeforeTheCheckpoint() throws IOException {
        assertEquals("diverged at epoch 2, step 10 (lr=0.01, batch-size=10): optimizer state 1 of conv1.weight is Infinity",
                divergeAt(10, Poison.OPTIMIZER_STATE, OptimizerKind.ADAM));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
