package org.lenet5.backend;

/**
 * What one forward pass over a batch reports.
 *
 * @param lossSum sum over the batch of the per-image cross-entropy (the training loss is lossSum / count)
 * @param correct images whose largest logit is the label (ties go to the lower class)
 * @param count   images in the batch
 */
public record BatchResult(double lossSum, int correct, int count) {
    public double meanLoss() { return lossSum / count; }
}
