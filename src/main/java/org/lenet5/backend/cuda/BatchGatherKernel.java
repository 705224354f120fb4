package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.model.Preprocessing;

/** Launcher for native-kernels/batch_gather.cu: dataset bytes + batch indices -> normalised, padded input. */
final class BatchGatherKernel {

    private final KernelLauncher launcher;

    BatchGatherKernel(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * @param pixels (count, rows, cols) bytes on the device
     * @param index  (n) int, dataset rows of this batch
     * @param out    (n, 1, rows + 2 pad, cols + 2 pad) float
     */
    void run(Pointer pixels, Pointer index, int n, Preprocessing prep, Pointer out) {
        long elements = (long) n * prep.inputHeight() * prep.inputWidth();
        launcher.launch("gather_normalize_pad", LaunchConfig.forElements(elements),
                "batch of " + n + " images " + prep.imageRows() + "x" + prep.imageCols() + " padded by " + prep.pad(),
                pixels, index, n, prep.imageRows(), prep.imageCols(), prep.pad(), prep.scale(), out);
    }
}
