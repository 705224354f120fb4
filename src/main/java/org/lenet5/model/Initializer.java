package org.lenet5.model;

import org.lenet5.util.SeededRandom;

/**
 * Seeded weight initialisation suited to each activation; biases start at zero.
 * <ul>
 *   <li>ReLU layers: He (Kaiming) uniform, U(-a, a) with a = sqrt(6 / fanIn), keeps the forward variance.</li>
 *   <li>Scaled tanh layers: LeCun uniform, a = sqrt(3 / fanIn) (variance 1/fanIn), which LeCun 1998
 *       chose so 1.7159 tanh(2x/3) works in its near-linear range.</li>
 *   <li>The output layer (feeds softmax, no activation): Glorot uniform, a = sqrt(6 / (fanIn + fanOut)).</li>
 * </ul>
 */
public final class Initializer {

    private Initializer() {}

    public static float[] initialParameters(ModelSpec spec, long seed) {
        ParameterLayout layout = new ParameterLayout(spec);
        float[] p = new float[layout.size()];
        SeededRandom rng = SeededRandom.derive(seed, 1, 0);
        for (ParamTensor t : layout.tensors()) {
            if (t.isBias()) continue;
            double a;
            if (t == layout.fc3W) a = Math.sqrt(6.0 / (t.fanIn() + t.fanOut()));
            else if (spec.activation() == Activation.RELU) a = Math.sqrt(6.0 / t.fanIn());
            else a = Math.sqrt(3.0 / t.fanIn());
            for (int i = t.offset(); i < t.end(); i++) p[i] = (float) ((2 * rng.nextDouble() - 1) * a);
        }
        return p;
    }
}
