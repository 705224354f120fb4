package org.lenet5.train;

/** The optimizers, with PyTorch's update rules (see {@link OptimizerMath}). */
public enum OptimizerKind {
    SGD("sgd", 0), MOMENTUM("momentum", 1), NESTEROV("nesterov", 1), ADAM("adam", 2), ADAMW("adamw", 2);

    private final String id;
    private final int stateBuffers;

    OptimizerKind(String id, int stateBuffers) {
        this.id = id;
        this.stateBuffers = stateBuffers;
    }

    public String id() { return id; }

    /** Flat buffers of optimizer state, each as long as the parameters: velocity, or Adam's m and v. */
    public int stateBuffers() { return stateBuffers; }

    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) if (k.id.equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown optimizer '" + s + "' (expected sgd, momentum, nesterov, adam or adamw)");
    }

    @Override public String toString() { return id; }
}
