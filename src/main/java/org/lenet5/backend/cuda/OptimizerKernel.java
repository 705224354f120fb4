package org.lenet5.backend.cuda;

import org.lenet5.train.OptimizerSettings;

/** Launcher for native-kernels/optimizer.cu: one update of the whole flat parameter buffer. */
final class OptimizerKernel {

    private final KernelModule module;

    OptimizerKernel(KernelSet kernels) {
        this.module = kernels.module(KernelSources.Unit.OPTIMIZER);
    }

    /**
     * @param params (P) flat parameters, updated
     * @param grads  (P) flat gradients
     * @param s0     (P) velocity or Adam's m
     * @param s1     (P) Adam's v
     */
    void run(OptimizerSettings settings, float lr, long step, DeviceBuffer params, DeviceBuffer grads,
             DeviceBuffer s0, DeviceBuffer s1) {
        OptimizerArgs a = OptimizerArgs.of(settings, lr, step);
        int n = Math.toIntExact(params.elements());
        float[] f = a.floats();
        Object[] args = switch (a.kernel()) {
            case "sgd_update" -> new Object[]{n, f[0], f[1], params.pointer(), grads.pointer()};
            case "momentum_update" -> new Object[]{n, f[0], f[1], f[2], a.flag(), params.pointer(), grads.pointer(), s0.pointer()};
            case "adam_update" -> new Object[]{n, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                    params.pointer(), grads.pointer(), s0.pointer(), s1.pointer()};
            default -> throw new IllegalStateException("no launcher for " + a.kernel());
        };
        module.launch(a.kernel(), LaunchConfig.forElements(n), settings.kind() + " over " + params, KernelModule.args(args));
    }
}
