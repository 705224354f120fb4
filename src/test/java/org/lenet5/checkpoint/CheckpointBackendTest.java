package org.lenet5.checkpoint;

import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.testing.RandomData;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointBackendTest {

    @TempDir Path dir;

    @Test
    void backendStateSurvivesAFileAndLoadsIntoAFreshBackend() {
        ModelSpec spec = ModelSpec.classic();
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.CLASSIC, 28, 28);
        Dataset data = RandomData.images(3, 8, 28, 28);
        int[] order = RandomData.identity(8);
        Checkpoint saved;
        float[] probabilities = new float[8 * 10];
        try (ReferenceBackend b = new ReferenceBackend(spec, prep, 8)) {
            b.setParameters(Initializer.initialParameters(spec, 3));
            OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
            for (int step = 1; step <= 3; step++) b.trainStep(data, order, 0, 8, adam, 1e-3f, step);
            saved = Checkpoint.capture(b, true, Map.of(Checkpoint.DATASET, "mnist", "train.step", "3"));
        }
        assertEquals(2, saved.optimizerState().length, "Adam's m and v");
        Path f = dir.resolve("model.lenet5");
        CheckpointFile.write(f, saved);

        Checkpoint back = CheckpointFile.read(f, spec);
        try (ReferenceBackend fresh = new ReferenceBackend(spec, prep, 8);
             ReferenceBackend direct = new ReferenceBackend(spec, prep, 8)) {
            back.loadInto(fresh);
            saved.loadInto(direct);
            float[] p = new float[fresh.layout().size()];
            fresh.getParameters(p);
            assertArrayEquals(saved.parameters(), p, 0f);
            float[][] state = fresh.getOptimizerState();
            assertEquals(2, state.length);
            assertArrayEquals(saved.optimizerState()[0], state[0], 0f);
            assertArrayEquals(saved.optimizerState()[1], state[1], 0f);
            // The model read from the file computes exactly what the captured one does.
            float[] q = new float[8 * 10];
            fresh.evaluate(data, order, 0, 8, probabilities);
            direct.evaluate(data, order, 0, 8, q);
            assertArrayEquals(q, probabilities, 0f);
        }
        assertEquals("3", back.get("train.step"));
    }

    @Test
    void loadingIntoABackendOfAnotherShapeIsRefused() {
        Checkpoint c = CheckpointFileTest.sample(Architecture.FLUX, 0, 1);
        try (ReferenceBackend classic = new ReferenceBackend(ModelSpec.classic(),
                Preprocessing.forArchitecture(Architecture.CLASSIC, 28, 28), 1)) {
            assertThrows(IllegalArgumentException.class, () -> c.loadInto(classic));
        }
    }
}
