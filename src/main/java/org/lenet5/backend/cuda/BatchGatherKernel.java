package org.lenet5.backend.cuda;

import org.lenet5.model.Preprocessing;

/** Launcher for native-kernels/batch_gather.cu: dataset bytes + batch indices -> normalised, padded input. */
final class BatchGatherKernel {

    private final KernelModule module;

    BatchGatherKernel(KernelSet kernels) {
        this.module = kernels.module(KernelSources.Unit.BATCH_GATHER);
    }

    /**
     * @param pixels (count, rows, cols) bytes on the device
     * @param index  (n) dataset rows of this batch
     * @param out    (n, 1, rows + 2 pad, cols + 2 pad)
     */
    void run(DeviceBuffer pixels, DeviceBuffer index, int n, Preprocessing prep, DeviceBuffer out) {
        long elements = (long) n * prep.inputHeight() * prep.inputWidth();
        module.launch("gather_normalize_pad", LaunchConfig.forElements(elements),
                "batch of " + n + " from " + pixels + " into " + out,
                KernelModule.args(pixels.pointer(), index.pointer(), n, prep.imageRows(), prep.imageCols(), prep.pad(),
                        prep.scale(), out.pointer()));
    }
}
