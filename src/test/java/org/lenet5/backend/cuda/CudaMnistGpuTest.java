package org.lenet5.backend.cuda;

import org.lenet5.TestData;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.data.Dataset;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.train.TrainConfig;
import org.lenet5.train.Trainer;
import org.lenet5.train.TrainingListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One epoch on the first 10,000 MNIST training images with the CUDA backend reaches 97% on the 10,000 test images.
 * The recipe (flux, Adam 2e-3 with cosine decay, batches of 2) reaches 97.14-97.22% on the float64 reference
 * backend for initialisation seeds 1-3 (measured when this test was written), so 97% is a real bar with a small
 * margin, not a formality.
 */
@Tag("gpu")
class CudaMnistGpuTest {

    @Test
    void oneEpochOnTenThousandImagesReaches97PercentOnTheTestSet() {
        CudaStatus s = GpuSupport.requireAll();
        TrainTestData mnist = TestData.mnist();
        Dataset train = mnist.train().slice("mnist-train[0:10000]", 0, 10_000);
        Architecture arch = Architecture.FLUX;
        ModelSpec spec = ModelSpec.forImages(arch, 28, 28);
        TrainConfig config = new TrainConfig(arch, "mnist", 1, 2, 2e-3f, OptimizerSettings.of(OptimizerKind.ADAM, 0f),
                LrSchedule.COSINE, 1, 10_000, 0, new BackendOptions(BackendKind.CUDA, 1, false));
        try (CudaBackend gpu = new CudaBackend(s, spec, Preprocessing.forArchitecture(arch, 28, 28), 256, false)) {
            gpu.setParameters(Initializer.initialParameters(spec, config.seed()));
            List<EpochMetrics> m = new Trainer(config, gpu, train, null, mnist.test(), 256)
                    .run(Trainer.TrainingState.START, TrainingListener.SILENT, (metrics, state, backend) -> {});
            double accuracy = m.get(0).testAccuracy();
            assertTrue(accuracy >= 0.97, "test accuracy " + accuracy + " after one epoch on 10,000 images");
        }
    }
}
