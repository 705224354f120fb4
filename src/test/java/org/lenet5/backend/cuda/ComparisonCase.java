package org.lenet5.backend.cuda;

import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.SeededRandom;

/**
 * Inputs for comparing a backend with the reference: digit-like images (a blank 3-pixel border, strokes of random
 * intensity, zeros in between, so max-pool windows over blank areas tie exactly), the architecture's initial
 * weights, biases set to small random values (initialisation leaves them at 0, which would hide bias bugs), and a
 * shuffled order.
 */
record ComparisonCase(ModelSpec spec, Preprocessing prep, Dataset data, float[] parameters, int[] order) {

    static ComparisonCase of(Architecture arch, int rows, int cols, int images, long seed) {
        ModelSpec spec = ModelSpec.forImages(arch, rows, cols);
        Preprocessing prep = Preprocessing.forArchitecture(arch, rows, cols);
        SeededRandom r = new SeededRandom(seed);
        byte[] pixels = new byte[images * rows * cols];
        byte[] labels = new byte[images];
        for (int i = 0; i < images; i++) {
            labels[i] = (byte) r.nextInt(10);
            for (int y = 3; y < rows - 3; y++)
                for (int x = 3; x < cols - 3; x++)
                    if (r.nextDouble() < 0.35) pixels[(i * rows + y) * cols + x] = (byte) (64 + r.nextInt(192));
        }
        Dataset data = new Dataset("comparison-" + seed, pixels, labels, images, rows, cols);
        float[] p = Initializer.initialParameters(spec, seed);
        ParameterLayout layout = new ParameterLayout(spec);
        for (ParamTensor t : layout.tensors())
            if (t.isBias()) for (int i = t.offset(); i < t.end(); i++) p[i] = (float) (0.1 * (2 * r.nextDouble() - 1));
        int[] order = new int[images];
        r.permutation(order, images);
        return new ComparisonCase(spec, prep, data, p, order);
    }
}
