package org.lenet5.train;

/**
 * @param kind     the update rule
 * @param l2       L2 regulariser lambda. For sgd/momentum/nesterov/adam it is added to the gradient as
 *                 l2 * w for every parameter (Flux's WeightDecay and PyTorch's weight_decay, as in the write-up);
 *                 for adamw it is the decoupled decay: w -= lr * l2 * w.
 * @param momentum momentum coefficient for momentum and nesterov
 * @param beta1    Adam first-moment decay
 * @param beta2    Adam second-moment decay
 * @param epsilon  Adam denominator guard
 */
public record OptimizerSettings(OptimizerKind kind, float l2, float momentum, float beta1, float beta2, float epsilon) {

    public static OptimizerSettings of(OptimizerKind kind, float l2) {
        return new OptimizerSettings(kind, l2, 0.9f, 0.9f, 0.999f, 1e-8f);
    }
}
