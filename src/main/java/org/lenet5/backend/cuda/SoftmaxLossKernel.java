package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.model.ModelSpec;

/** Launcher for native-kernels/softmax_loss.cu: probabilities, loss gradient, and the batch's loss sum and correct count. */
final class SoftmaxLossKernel {

    private final KernelModule module;

    SoftmaxLossKernel(KernelSet kernels) {
        this.module = kernels.module(KernelSources.Unit.SOFTMAX_LOSS);
    }

    /**
     * @param logits     (n, 10)
     * @param labels     (count) the dataset's labels as bytes
     * @param index      (n) dataset rows of this batch
     * @param probs      (n, 10) written
     * @param dlogits    (n, 10) written with (p - onehot) / n when not null
     * @param rowLoss    (n) scratch
     * @param rowCorrect (n) scratch
     * @param totals     (2) doubles: loss sum, correct count
     */
    void run(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer index, int n, DeviceBuffer probs, DeviceBuffer dlogits,
             DeviceBuffer rowLoss, DeviceBuffer rowCorrect, DeviceBuffer totals) {
        String what = "batch of " + n + ", logits " + logits;
        module.launch("softmax_cross_entropy", LaunchConfig.forElements(n), what,
                KernelModule.args(logits.pointer(), labels.pointer(), index.pointer(), n, ModelSpec.CLASSES,
                        dlogits == null ? 0 : 1, probs.pointer(), dlogits == null ? new Pointer() /* NULL, never written */ : dlogits.pointer(),
                        rowLoss.pointer(), rowCorrect.pointer()));
        module.launch("batch_totals", LaunchConfig.totals(), what,
                KernelModule.args(rowLoss.pointer(), rowCorrect.pointer(), n, totals.pointer()));
    }
}
