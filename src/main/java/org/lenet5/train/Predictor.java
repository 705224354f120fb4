package org.lenet5.train;

import org.lenet5.backend.Backend;
import org.lenet5.data.Dataset;
import org.lenet5.model.ModelSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Class probabilities for images that are not part of a dataset file (predict), through the Backend interface. */
public final class Predictor {

    /** One image's outcome: probabilities (10) and the classes ranked by them, ties to the lower class. */
    public record Prediction(float[] probabilities) {
        public Prediction {
            probabilities = probabilities.clone();
        }

        @Override public float[] probabilities() { return probabilities.clone(); }

        public float probability(int k) { return probabilities[k]; }

        /** The k most probable classes, most probable first. */
        public int[] top(int k) {
            Integer[] order = new Integer[probabilities.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> probabilities[a] != probabilities[b]
                    ? Float.compare(probabilities[b], probabilities[a]) : Integer.compare(a, b));
            int[] r = new int[Math.min(k, order.length)];
            for (int i = 0; i < r.length; i++) r[i] = order[i];
            return r;
        }

        public int best() { return top(1)[0]; }
    }

    private Predictor() {}

    /**
     * @param images each (rows, cols) unsigned bytes in the backend's preprocessing image size
     */
    public static List<Prediction> predict(Backend backend, List<byte[]> images) {
        int rows = backend.preprocessing().imageRows(), cols = backend.preprocessing().imageCols();
        int n = images.size();
        byte[] pixels = new byte[n * rows * cols];   // (n, rows, cols)
        for (int i = 0; i < n; i++) {
            byte[] img = images.get(i);
            if (img.length != rows * cols)
                throw new IllegalArgumentException("image " + i + " has " + img.length + " pixels, the model takes " + rows + "x" + cols);
            System.arraycopy(img, 0, pixels, i * rows * cols, rows * cols);
        }
        // Labels are unknown; 0 is a placeholder the loss ignores here (only the probabilities are used).
        Dataset data = new Dataset("predict", pixels, new byte[n], n, rows, cols);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        int batch = backend.maxBatchSize();
        float[] probabilities = new float[batch * ModelSpec.CLASSES];   // (batch, 10)
        List<Prediction> out = new ArrayList<>(n);
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            backend.evaluate(data, order, from, count, probabilities);
            for (int b = 0; b < count; b++)
                out.add(new Prediction(Arrays.copyOfRange(probabilities, b * ModelSpec.CLASSES, (b + 1) * ModelSpec.CLASSES)));
        }
        return out;
    }
}
