package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.data.Dataset;
import org.lenet5.model.ModelSpec;

/**
 * Forward passes over a whole dataset in order. The loss is summed per image in image order in float64,
 * so the result does not depend on the batch size (the backends compute each image independently).
 */
public final class Evaluator {

    private final Backend backend;
    private final int batchSize;
    private final float[] probabilities;   // (batchSize, 10)
    private int[] order = new int[0];      // (count) identity order, grown on demand

    public Evaluator(Backend backend, int batchSize) {
        if (batchSize < 1 || batchSize > backend.maxBatchSize())
            throw new IllegalArgumentException("evaluation batch " + batchSize + " (backend max " + backend.maxBatchSize() + ")");
        this.backend = backend;
        this.batchSize = batchSize;
        this.probabilities = new float[batchSize * ModelSpec.CLASSES];
    }

    public EvaluationResult evaluate(Dataset data) {
        if (order.length < data.count()) {
            order = new int[data.count()];
            for (int i = 0; i < order.length; i++) order[i] = i;
        }
        long[][] confusion = new long[ModelSpec.CLASSES][ModelSpec.CLASSES];
        double lossSum = 0;
        for (int from = 0; from < data.count(); from += batchSize) {
            int n = Math.min(batchSize, data.count() - from);
            backend.evaluate(data, order, from, n, probabilities);
            for (int b = 0; b < n; b++) {
                int label = data.label(from + b);
                int best = 0;
                for (int k = 1; k < ModelSpec.CLASSES; k++)
                    if (probabilities[b * ModelSpec.CLASSES + k] > probabilities[b * ModelSpec.CLASSES + best]) best = k;
                confusion[label][best]++;
                // -log p from the float probabilities, floored so a confident mistake stays finite.
                lossSum += -Math.log(Math.max(probabilities[b * ModelSpec.CLASSES + label], 1e-30));
            }
        }
        return new EvaluationResult(lossSum, data.count(), confusion);
    }
}
