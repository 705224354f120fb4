package org.lenet5.train;

/**
 * The optimizer updates over a range of the flat parameter buffer, float32 (cpu backend, and the
 * model for the CUDA kernel in native-kernels/optimizer.cu) and float64 (reference). Rules as in PyTorch:
 * <pre>
 * g = grad + l2 * w                       (all but adamw)
 * sgd:       w -= lr * g
 * momentum:  v = mu * v + g;  w -= lr * v
 * nesterov:  v = mu * v + g;  w -= lr * (g + mu * v)
 * adam:      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * adamw:     w -= lr * l2 * w, then adam with g = grad
 * </pre>
 */
public final class OptimizerMath {

    private OptimizerMath() {}

    /** Updates w[from, to). s0/s1 are the state buffers (may be null when the rule has none). */
    public static void update(OptimizerSettings o, float lr, long step, float[] w, float[] grad,
                              float[] s0, float[] s1, int from, int to) {
        float l2 = o.l2();
        switch (o.kind()) {
            case SGD -> {
                for (int i = from; i < to; i++) w[i] -= lr * (grad[i] + l2 * w[i]);
            }
            case MOMENTUM -> {
                float mu = o.momentum();
                for (int i = from; i < to; i++) {
                    float g = grad[i] + l2 * w[i];
                    float v = mu * s0[i] + g;
                    s0[i] = v;
                    w[i] -= lr * v;
                }
            }
            case NESTEROV -> {
                float mu = o.momentum();
                for (int i = from; i < to; i++) {
                    float g = grad[i] + l2 * w[i];
                    float v = mu * s0[i] + g;
                    s0[i] = v;
                    w[i] -= lr * (g + mu * v);
                }
            }
            case ADAM, ADAMW -> {
                boolean decoupled = o.kind() == OptimizerKind.ADAMW;
                float b1 = o.beta1(), b2 = o.beta2(), eps = o.epsilon();
                float c1 = (float) (1.0 - Math.pow(b1, step));
                float c2 = (float) (1.0 - Math.pow(b2, step));
                float decay = decoupled ? 1f - lr * l2 : 1f;
                float coupled = decoupled ? 0f : l2;
                for (int i = from; i < to; i++) {
                    float wi = w[i] * decay;
                    float g = grad[i] + coupled * w[i];
                    float m = b1 * s0[i] + (1 - b1) * g;
                    float v = b2 * s1[i] + (1 - b2) * g * g;
                    s0[i] = m;
                    s1[i] = v;
                    w[i] = wi - lr * (m / c1) / ((float) Math.sqrt(v / c2) + eps);
                }
            }
        }
    }

    /** The same rules in float64 for the reference backend. */
    public static void update(OptimizerSettings o, double lr, long step, double[] w, double[] grad,
                              double[] s0, double[] s1) {
        double l2 = o.l2();
        int n = w.length;
        switch (o.kind()) {
            case SGD -> {
                for (int i = 0; i < n; i++) w[i] -= lr * (grad[i] + l2 * w[i]);
            }
            case MOMENTUM, NESTEROV -> {
                double mu = o.momentum();
                boolean nesterov = o.kind() == OptimizerKind.NESTEROV;
                for (int i = 0; i < n; i++) {
                    double g = grad[i] + l2 * w[i];
                    double v = mu * s0[i] + g;
                    s0[i] = v;
                    w[i] -= lr * (nesterov ? g + mu * v : v);
                }
            }
            case ADAM, ADAMW -> {
                boolean decoupled = o.kind() == OptimizerKind.ADAMW;
                double b1 = o.beta1(), b2 = o.beta2(), eps = o.epsilon();
                double c1 = 1.0 - Math.pow(b1, step), c2 = 1.0 - Math.pow(b2, step);
                for (int i = 0; i < n; i++) {
                    double wi = decoupled ? w[i] * (1 - lr * l2) : w[i];
                    double g = grad[i] + (decoupled ? 0 : l2 * w[i]);
                    double m = b1 * s0[i] + (1 - b1) * g;
                    double v = b2 * s1[i] + (1 - b2) * g * g;
                    s0[i] = m;
                    s1[i] = v;
                    w[i] = wi - lr * (m / c1) / (Math.sqrt(v / c2) + eps);
                }
            }
        }
    }
}
