package org.lenet5.train;

/**
 * Loss and accuracy over a dataset, with the confusion matrix.
 *
 * @param lossSum   summed per-image cross-entropy
 * @param count     images evaluated
 * @param confusion (10, 10): confusion[label][predicted]
 */
public record EvaluationResult(double lossSum, int count, long[][] confusion) {

    public int correct() {
        int c = 0;
        for (int k = 0; k < confusion.length; k++) c += (int) confusion[k][k];
        return c;
    }

    public double accuracy() { return count == 0 ? Double.NaN : correct() / (double) count; }

    public double meanLoss() { return count == 0 ? Double.NaN : lossSum / count; }

    /** Accuracy of the images whose label is k (NaN if there are none). */
    public double classAccuracy(int k) {
        long n = 0;
        for (long v : confusion[k]) n += v;
        return n == 0 ? Double.NaN : confusion[k][k] / (double) n;
    }

    public long classCount(int k) {
        long n = 0;
        for (long v : confusion[k]) n += v;
        return n;
    }
}
