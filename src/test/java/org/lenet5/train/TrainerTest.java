package org.lenet5.train;

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
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    /** A reference backend that records every training step's batch. */
    static final class RecordingBackend implements Backend {
        final ReferenceBackend inner;
        final List<int[]> batches = new ArrayList<>();   // dataset indices of each step
        final List<Float> rates = new ArrayList<>();
        final List<Long> steps = new ArrayList<>();

        RecordingBackend(ReferenceBackend inner) { this.inner = inner; }

        @Override public String name() { return "recording"; }
        @Override public ModelSpec spec() { return inner.spec(); }
        @Override public Preprocessing preprocessing() { return inner.preprocessing(); }
        @Override public ParameterLayout layout() { return inner.layout(); }
        @Override public int maxBatchSize() { return inner.maxBatchSize(); }
        @Override public void setParameters(float[] flat) { inner.setParameters(flat); }
        @Override public void getParameters(float[] flat) { inner.getParameters(flat); }
        @Override public void getGradients(float[] flat) { inner.getGradients(flat); }
        @Override public BatchResult forwardBackward(Dataset d, int[] order, int from, int count) {
            batches.add(Arrays.copyOfRange(order, from, from + count));
            return inner.forwardBackward(d, order, from, count);
        }
        @Override public void update(OptimizerSettings o, float lr, long step) {
            rates.add(lr);
            steps.add(step);
            inner.update(o, lr, step);
        }
        @Override public BatchResult evaluate(Dataset d, int[] order, int from, int count, float[] p) {
            return inner.evaluate(d, order, from, count, p);
        }
        @Override public float[] readOutput(LayerOutput which) { return inner.readOutput(which); }
        @Override public float[][] getOptimizerState() { return inner.getOptimizerState(); }
        @Override public void setOptimizerState(float[][] s) { inner.setOptimizerState(s); }
        @Override public void close() {}
    }

    static TrainConfig config(int epochs, int batch, LrSchedule schedule, float lr) {
        return new TrainConfig(Architecture.FLUX, "random", epochs, batch, lr, OptimizerSettings.of(OptimizerKind.SGD, 0),
                schedule, 5, 0, 0, new BackendOptions(BackendKind.REFERENCE, 1, false));
    }

    static RecordingBackend backend(int maxBatch) {
        ModelSpec spec = ModelSpec.flux();
        ReferenceBackend ref = new ReferenceBackend(spec, Preprocessing.forArchitecture(Architecture.FLUX, 28, 28), maxBatch);
        ref.setParameters(Initializer.initialParameters(spec, 1));
        return new RecordingBackend(ref);
    }

    @Test
    void tenImagesAtBatchFourTrainInStepsOfFourFourAndTwoCoveringEveryImageOnce() {
        Dataset train = RandomData.images(1, 10, 28, 28);
        Dataset test = RandomData.images(2, 3, 28, 28);
        RecordingBackend b = backend(8);
        List<EpochMetrics> m = new Trainer(config(2, 4, LrSchedule.CONSTANT, 0.01f), b, train, null, test, 8)
                .run(Trainer.TrainingState.START, TrainingListener.SILENT, (e, s, bk) -> {});
        assertEquals(2, m.size());
        assertEquals(6, b.batches.size(), "3 steps per epoch");
        int[] sizes = b.batches.stream().mapToInt(a -> a.length).toArray();
        assertArrayEquals(new int[]{4, 4, 2, 4, 4, 2}, sizes);
        for (int epoch = 0; epoch < 2; epoch++) {
            int[] seen = new int[10];
            for (int s = 0; s < 3; s++) for (int i : b.batches.get(epoch * 3 + s)) seen[i]++;
            for (int i = 0; i < 10; i++) assertEquals(1, seen[i], "epoch " + epoch + " image " + i);
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), b.steps, "optimizer steps are counted across epochs");
    }

    @Test
    void everyEpochIsShuffledDifferentlyAndTheSameSeedShufflesTheSame() {
        Dataset train = RandomData.images(1, 40, 28, 28);
        Dataset test = RandomData.images(2, 3, 28, 28);
        RecordingBackend a = backend(40), b = backend(40);
        new Trainer(config(2, 40, LrSchedule.CONSTANT, 0.01f), a, train, null, test, 8)
                .run(Trainer.TrainingState.START, TrainingListener.SILENT, (e, s, bk) -> {});
        new Trainer(config(2, 40, LrSchedule.CONSTANT, 0.01f), b, train, null, test, 8)
                .run(Trainer.TrainingState.START, TrainingListener.SILENT, (e, s, bk) -> {});
        assertFalse(Arrays.equals(a.batches.get(0), a.batches.get(1)), "epochs 1 and 2 use different orders");
        assertFalse(Arrays.equals(a.batches.get(0), RandomData.identity(40)), "the first epoch is shuffled");
        for (int i = 0; i < 2; i++) assertArrayEquals(a.batches.get(i), b.batches.get(i));
    }

    @Test
    void cosineScheduleStartsAtTheBaseRateAndFallsTowardZero() {
        Dataset train = RandomData.images(1, 20, 28, 28);
        RecordingBackend b = backend(8);
        new Trainer(config(2, 4, LrSchedule.COSINE, 0.1f), b, train, null, RandomData.images(2, 2, 28, 28), 8)
                .run(Trainer.TrainingState.START, TrainingListener.SILENT, (e, s, bk) -> {});
        assertEquals(10, b.rates.size());
        assertEquals(0.1f, b.rates.get(0), 0f);
        for (int i = 1; i < 10; i++) assertTrue(b.rates.get(i) < b.rates.get(i - 1), "decreasing at step " + i);
        // Step 9 of 10 (0-based): 0.1 * (1 + cos(pi * 9/10)) / 2.
        assertEquals(0.1 * (1 + Math.cos(Math.PI * 0.9)) / 2, b.rates.get(9), 1e-7);
    }

    @Test
    void stepScheduleDividesByTenAtHalfAndByHundredAtThreeQuarters() {
        float[] r = new float[8];
        for (int e = 0; e < 8; e++) r[e] = LrSchedule.STEP.rate(1f, e, 8, 0, 1);
        assertArrayEquals(new float[]{1, 1, 1, 1, 0.1f, 0.1f, 0.01f, 0.01f}, r);
    }

    @Test
    void aNonFiniteLossStopsTrainingWithTheEpochStepAndSettings() {
        Dataset train = RandomData.images(1, 12, 28, 28);
        RecordingBackend b = backend(4);
        Trainer t = new Trainer(config(3, 4, LrSchedule.CONSTANT, 1e30f), b, train, null, RandomData.images(2, 2, 28, 28), 4);
        DivergedException e = assertThrows(DivergedException.class,
                () -> t.run(Trainer.TrainingState.START, TrainingListener.SILENT, (m, s, bk) -> {}));
        assertTrue(e.getMessage().startsWith("diverged at epoch " + e.epoch() + ", step " + e.step() + " (lr=1.0E30, batch-size=4)"),
                e.getMessage());
        assertTrue(e.step() >= 2, "the first step runs on the initial weights, so it cannot diverge: " + e.step());
    }
}
