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

    /**
     * A row of metrics.csv read back (the inverse of {@link #csvRow()}, to its printed precision).
     *
     * @param where the file and line, for the error message
     */
    public static EpochMetrics parseCsvRow(String row, String where) {
        String[] f = row.split(",", -1);
        if (f.length != 8)
            throw new org.lenet5.util.UserException(where + ": " + f.length + " fields where metrics.csv has 8 ("
                    + CSV_HEADER + ")");
        try {
            return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    f[3].isEmpty() ? Double.NaN : Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]));
        } catch (NumberFormatException e) {
            throw new org.lenet5.util.UserException(where + ": not a metrics row (" + e.getMessage() + ")");
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.6f", v);
    }
}
