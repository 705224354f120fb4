package org.lenet5.testing;

import org.lenet5.TestData;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;

import java.util.Map;

/** Small models trained on real MNIST for the evaluate and predict tests, trained once per test JVM. */
public final class TrainedModels {

    private TrainedModels() {}

    /** Flux LeNet-5, 2 epochs of Adam (lr 1e-3, batch 32) over the first 3,000 training images, reference backend. */
    public static Checkpoint smallMnistFlux() { return Holder.FLUX; }

    /** The MNIST test set (10,000 images). */
    public static Dataset mnistTest() { return Holder.TEST; }

    private static final class Holder {
        static final Dataset TEST;
        static final Checkpoint FLUX;

        static {
            var data = TestData.mnist();
            TEST = data.test();
            FLUX = train(data.train().slice("mnist/train[0:3000]", 0, 3000));
        }

        private static Checkpoint train(Dataset train) {
            ModelSpec spec = ModelSpec.flux();
            Preprocessing prep = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);
            try (ReferenceBackend b = new ReferenceBackend(spec, prep, 32)) {
                b.setParameters(Initializer.initialParameters(spec, 1));
                int[] order = RandomData.identity(train.count());
                OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
                long step = 0;
                for (int epoch = 0; epoch < 2; epoch++)
                    for (int from = 0; from < train.count(); from += 32)
                        b.trainStep(train, order, from, Math.min(32, train.count() - from), adam, 1e-3f, ++step);
                return Checkpoint.capture(b, false, Map.of(Checkpoint.DATASET, "mnist"));
            }
        }
    }
}
