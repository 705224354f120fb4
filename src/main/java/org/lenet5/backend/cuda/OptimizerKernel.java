package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.train.OptimizerSettings;

/** Launcher for native-kernels/optimizer.cu: one update of the whole flat parameter buffer. */
final class OptimizerKernel {

    private final KernelLauncher launcher;

    OptimizerKernel(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * @param n      parameters (P)
     * @param params (P) flat parameters, updated
     * @param grads  (P) flat gradients
     * @param s0     (P) velocity or Adam's m
     * @param s1     (P) Adam's v
     */
    void run(OptimizerSettings settings, float lr, long step, int n, Pointer params, Pointer grads, Pointer s0, Pointer s1) {
        OptimizerArgs a = OptimizerArgs.of(settings, lr, step);
        float[] f = a.floats();
        Object[] args = switch (a.kernel()) {
            case "sgd_update" -> new Object[]{n, f[0], f[1], params, grads};
            case "momentum_update" -> new Object[]{n, f[0], f[1], f[2], a.flag(), params, grads, s0};
            case "adam_update" -> new Object[]{n, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], params, grads, s0, s1};
            default -> throw new IllegalStateException("no launcher for " + a.kernel());
        };
        launcher.launch(a.kernel(), LaunchConfig.forElements(n), settings.kind() + " over " + n + " parameters", args);
    }
}
