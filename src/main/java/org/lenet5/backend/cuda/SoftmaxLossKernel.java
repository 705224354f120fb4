package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.model.ModelSpec;

/** Launcher for native-kernels/softmax_loss.cu: probabilities, loss gradient, and the batch's loss sum and correct count. */
final class SoftmaxLossKernel {

    private final KernelLauncher launcher;

    SoftmaxLossKernel(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * @param logits     (n, 10) float
     * @param labels     (count) the dataset's labels as bytes
     * @param index      (n) int, dataset rows of this batch
     * @param probs      (n, 10) float, written
     * @param dlogits    (n, 10) float, written with (p - onehot) / n; null for evaluation (no gradient)
     * @param rowLoss    (n) float scratch
     * @param rowCorrect (n) int scratch
     * @param totals     (2) double: loss sum, correct count
     */
    void run(Pointer logits, Pointer labels, Pointer index, int n, Pointer probs, Pointer dlogits,
             Pointer rowLoss, Pointer rowCorrect, Pointer totals) {
        String what = "batch of " + n + ", logits (" + n + ", " + ModelSpec.CLASSES + ")";
        launcher.launch("softmax_cross_entropy", LaunchConfig.forElements(n), what,
                logits, labels, index, n, ModelSpec.CLASSES, dlogits == null ? 0 : 1, probs,
                dlogits == null ? new Pointer() /* NULL: not written when write_grad is 0 */ : dlogits,
                rowLoss, rowCorrect);
        launcher.launch("batch_totals", LaunchConfig.totals(), what, rowLoss, rowCorrect, n, totals);
    }
}
