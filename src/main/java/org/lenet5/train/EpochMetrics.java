package org.lenet5.train;

/**
 * One row of metrics.csv.
 *
 * @param trainLoss          mean cross-entropy over the epoch's training batches, as they were trained
 * @param trainAccuracy      fraction of training images classified right while training
 * @param validationAccuracy NaN when there is no validation split
 * @param seconds            wall time of the epoch's training steps (evaluation excluded)
 * @param imagesPerSecond    training images / seconds
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationAccuracy,
                           double testLoss, double testAccuracy, double seconds, double imagesPerSecond) {

    public static final String CSV_HEADER =
            "epoch,train_loss,train_accuracy,validation_accuracy,test_loss,test_accuracy,seconds,images_per_second";

    public String csvRow() {
        return epoch + "," + fmt(trainLoss) + "," + fmt(trainAccuracy) + ","
                + (Double.isNaN(validationAccuracy) ? "" : fmt(validationAccuracy)) + ","
                + fmt(testLoss) + "," + fmt(testAccuracy) + ","
                + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ","
                + String.format(java.util.Locale.ROOT, "%.1f", imagesPerSecond);
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.6f", v);
    }
}
