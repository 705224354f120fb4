package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.Architecture;
import org.lenet5.model.LayerOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The GPU tests' gradient oracle is the reference backward, and it only defers to the device at near-ties. */
class GradientOracleTest {

    @ParameterizedTest(name = "{0} {1}x{2}, batch {3}")
    @CsvSource({"flux, 28, 28, 3", "flux, 28, 36, 32", "classic, 28, 36, 5", "classic, 28, 28, 1"})
    void withoutDeviceDecisionsItIsExactlyTheReferenceBackward(String arch, int rows, int cols, int n) {
        ComparisonCase c = ComparisonCase.of(Architecture.parse(arch), rows, cols, 40, 5);
        ReferenceBackend ref = new ReferenceBackend(c.spec(), c.prep(), 32);
        ref.setParameters(c.parameters());
        ref.forwardBackward(c.data(), c.order(), 0, n);
        GradientOracle o = new GradientOracle(ref, c.spec(), n, null, 0);
        assertArrayEquals(ref.gradients(), o.parameterGradients);
        for (Map.Entry<LayerOutput, double[]> e : o.layerGradients.entrySet())
            assertArrayEquals(ref.outputGradient(e.getKey()), e.getValue(), e.getKey().toString());
    }

    @Test
    void itFollowsTheDeviceOnlyInsideNearTiesNotWhereTheDeviceIsPlainlyWrong() {
        ComparisonCase c = ComparisonCase.of(Architecture.FLUX, 28, 28, 40, 9);
        int n = 4;
        ReferenceBackend ref = new ReferenceBackend(c.spec(), c.prep(), 32);
        ref.setParameters(c.parameters());
        ref.forwardBackward(c.data(), c.order(), 0, n);
        Map<LayerOutput, float[]> device = new EnumMap<>(LayerOutput.class);
        for (LayerOutput l : LayerOutput.values()) device.put(l, ref.readOutput(l));
        // A "device" whose pool1 input has the window of the largest value scrambled: a clear maximum, so it must be ignored.
        float[] act1 = device.get(LayerOutput.ACT1);
        int big = 0;
        for (int i = 0; i < act1.length; i++) if (act1[i] > act1[big]) big = i;
        int w = c.spec().conv1W();
        int base = (big / w / 2 * 2) * w + (big % w) / 2 * 2;   // top-left of big's 2x2 window (same channel plane)
        int other = base == big ? base + 1 : base;
        act1[other] = act1[big] * 0.5f;   // still a clear maximum at big...
        float tmp = act1[big];
        act1[big] = act1[other];
        act1[other] = tmp;                 // ...now placed at the other position: the device disagrees clearly
        GradientOracle o = new GradientOracle(ref, c.spec(), n, device, 1e-5);
        assertArrayEquals(ref.outputGradient(LayerOutput.ACT1), o.layerGradients.get(LayerOutput.ACT1),
                "a clear maximum is decided by the reference, whatever the device computed");
        assertEquals(0, o.poolDecisionsFromDevice);
    }

    @Test
    void floatRoundedForwardValuesGiveTheReferenceGradientsWithinTheLayerTolerance() {
        ComparisonCase c = ComparisonCase.of(Architecture.FLUX, 28, 36, 40, 3);
        int n = 32;
        ReferenceBackend ref = new ReferenceBackend(c.spec(), c.prep(), 32);
        ref.setParameters(c.parameters());
        ref.forwardBackward(c.data(), c.order(), 0, n);
        Map<LayerOutput, float[]> device = new EnumMap<>(LayerOutput.class);
        for (LayerOutput l : LayerOutput.values()) device.put(l, ref.readOutput(l));
        GradientOracle o = new GradientOracle(ref, c.spec(), n, device, 1e-5);
        Compare.close("parameter gradients", ref.gradients(), toFloat(o.parameterGradients));
        for (Map.Entry<LayerOutput, double[]> e : o.layerGradients.entrySet())
            Compare.close(e.getKey().toString(), ref.outputGradient(e.getKey()), toFloat(e.getValue()));
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
