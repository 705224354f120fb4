package org.lenet5.backend.cuda;

import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The optimizer kernels' scalar arguments are the values OptimizerMath computes, bit for bit. */
class OptimizerArgsTest {

    @Test
    void sgdAndMomentumPassTheirCoefficients() {
        OptimizerArgs sgd = OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.SGD, 5e-4f), 0.1f, 1);
        assertEquals("sgd_update", sgd.kernel());
        assertArrayEquals(new float[]{0.1f, 5e-4f}, sgd.floats());
        OptimizerArgs nesterov = OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.NESTEROV, 0f), 0.05f, 3);
        assertEquals("momentum_update", nesterov.kernel());
        assertEquals(1, nesterov.flag());
        assertEquals(0, OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.MOMENTUM, 0f), 0.05f, 3).flag());
        assertArrayEquals(new float[]{0.05f, 0f, 0.9f}, nesterov.floats());
    }

    @Test
    void adamPassesBiasCorrectionsAndCoupledL2() {
        OptimizerArgs a = OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.ADAM, 1e-4f), 1e-3f, 7);
        float c1 = (float) (1.0 - Math.pow(0.9f, 7)), c2 = (float) (1.0 - Math.pow(0.999f, 7));
        assertArrayEquals(new float[]{1e-3f, 1e-4f, 1f, 0.9f, 0.999f, 1e-8f, c1, c2}, a.floats());
    }

    @Test
    void adamwDecaysTheWeightsInsteadOfTheGradient() {
        OptimizerArgs a = OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.ADAMW, 0.01f), 2e-3f, 1);
        assertEquals(0f, a.floats()[1], "no L2 in the gradient");
        assertEquals(1f - 2e-3f * 0.01f, a.floats()[2], "decay = 1 - lr * l2, in float as OptimizerMath");
        assertEquals((float) (1.0 - Math.pow(0.9f, 1)), a.floats()[6]);
    }

    @Test
    void adamNeedsAStepNumber() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerArgs.of(OptimizerSettings.of(OptimizerKind.ADAM, 0f), 1e-3f, 0));
    }
}
