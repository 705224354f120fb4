package org.lenet5.backend.reference;

import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.Preprocessing;
import org.lenet5.testing.RandomData;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole network's parameter gradients (mean cross-entropy over a batch of 3) against central finite
 * differences, for both architectures: 12 sampled elements of every parameter tensor. Float64 with h = 1e-6
 * (h = 1e-5 crosses a ReLU kink with this seed: one conv1 unit sits that close to zero, which shifts every
 * conv1.weight difference of its channel). Relative tolerance 1e-5: the loss is smooth away from ReLU kinks
 * and max-pool switches, and at h = 1e-6 the rounding error is about 1e-10.
 */
class ReferenceNetworkGradientCheckTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyParameterGradientMatchesFiniteDifferences(Architecture arch) {
        int rows = 28, cols = 24;                                  // non-square, so a swapped H/W would show
        ModelSpec spec = ModelSpec.forImages(arch, rows, cols);
        Preprocessing prep = Preprocessing.forArchitecture(arch, rows, cols);
        ReferenceBackend ref = new ReferenceBackend(spec, prep, 3);
        ref.setParameters(Initializer.initialParameters(spec, 11));
        Dataset data = RandomData.images(7, 3, rows, cols);
        int[] order = RandomData.identity(3);
        ref.forwardBackward(data, order, 0, 3);
        double[] analytic = ref.gradients().clone();
        double[] p = ref.parameters();
        SeededRandom pick = new SeededRandom(99);
        double h = 1e-6, worstAll = 0;
        for (ParamTensor t : ref.layout().tensors()) {
            double worst = 0;
            for (int s = 0; s < 12; s++) {
                int i = t.offset() + pick.nextInt(t.size());
                double keep = p[i];
                p[i] = keep + h;
                double up = ref.evaluate(data, order, 0, 3, null).meanLoss();
                p[i] = keep - h;
                double down = ref.evaluate(data, order, 0, 3, null).meanLoss();
                p[i] = keep;
                double num = (up - down) / (2 * h);
                double err = Math.abs(num - analytic[i]) / Math.max(1e-4, Math.abs(num) + Math.abs(analytic[i]));
                worst = Math.max(worst, err);
            }
            System.out.printf("gradcheck %-8s %-14s max rel err %.2e (tol 1e-5) %s%n", arch, t.name(), worst,
                    worst <= 1e-5 ? "OK" : "NOT OK");
            assertTrue(worst <= 1e-5, arch + " " + t.name() + ": relative error " + worst);
            worstAll = Math.max(worstAll, worst);
        }
        assertTrue(worstAll > 0, "finite differences were never compared");
    }
}
