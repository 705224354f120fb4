package org.lenet5.backend.cuda;

import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;

/**
 * The scalar arguments of the optimizer kernels (native-kernels/optimizer.cu) for one step, computed on the host
 * exactly as {@link org.lenet5.train.OptimizerMath} computes them (same float/double roundings), so the kernels
 * reproduce the CPU's float32 update bit for bit.
 *
 * @param kernel  the kernel's name in optimizer.cu
 * @param floats  the float arguments in the kernel's order (after n)
 * @param flag    momentum_update's nesterov flag (0 or 1); unused by the other kernels
 * @param buffers state buffers the kernel takes (0, 1 or 2)
 */
public record OptimizerArgs(String kernel, float[] floats, int flag, int buffers) {

    public static OptimizerArgs of(OptimizerSettings o, float lr, long step) {
        float l2 = o.l2();
        return switch (o.kind()) {
            // sgd_update(n, lr, l2, w, g)
            case SGD -> new OptimizerArgs("sgd_update", new float[]{lr, l2}, 0, 0);
            // momentum_update(n, lr, l2, mu, nesterov, w, g, s0)
            case MOMENTUM, NESTEROV -> new OptimizerArgs("momentum_update", new float[]{lr, l2, o.momentum()},
                    o.kind() == OptimizerKind.NESTEROV ? 1 : 0, 1);
            // adam_update(n, lr, coupled, decay, b1, b2, eps, c1, c2, w, g, s0, s1)
            case ADAM, ADAMW -> {
                if (step < 1) throw new IllegalArgumentException("Adam step must be >= 1, got " + step);
                boolean decoupled = o.kind() == OptimizerKind.ADAMW;
                float b1 = o.beta1(), b2 = o.beta2();
                float c1 = (float) (1.0 - Math.pow(b1, step));
                float c2 = (float) (1.0 - Math.pow(b2, step));
                float decay = decoupled ? 1f - lr * l2 : 1f;
                float coupled = decoupled ? 0f : l2;
                yield new OptimizerArgs("adam_update", new float[]{lr, coupled, decay, b1, b2, o.epsilon(), c1, c2}, 0, 2);
            }
        };
    }
}
