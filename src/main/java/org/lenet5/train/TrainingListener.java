package org.lenet5.train;

/** What the trainer reports while it runs (progress bar and epoch lines in the CLI; nothing in tests). */
public interface TrainingListener {

    default void epochStarted(int epoch, int epochs, int images) {}

    default void batchFinished(int images, double runningLoss) {}

    default void epochFinished(EpochMetrics metrics, int epochs) {}

    TrainingListener SILENT = new TrainingListener() {};
}
