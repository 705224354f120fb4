package org.lenet5.train;

/** Learning rate as a function of progress. */
public enum LrSchedule {
    /** lr throughout. */
    CONSTANT("constant"),
    /** lr, then lr/10 from 50% of the epochs, lr/100 from 75% (MultiStepLR-style, per epoch). */
    STEP("step"),
    /** Cosine annealing per step from lr to 0 over the whole run. */
    COSINE("cosine");

    private final String id;

    LrSchedule(String id) { this.id = id; }

    public String id() { return id; }

    public static LrSchedule parse(String s) {
        for (LrSchedule k : values()) if (k.id.equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown lr schedule '" + s + "' (expected constant, step or cosine)");
    }

    /**
     * @param base           the base learning rate
     * @param epoch          0-based epoch of the step
     * @param epochs         total epochs
     * @param stepIndex      0-based step within the whole run
     * @param totalSteps     steps in the whole run
     */
    public float rate(float base, int epoch, int epochs, long stepIndex, long totalSteps) {
        return switch (this) {
            case CONSTANT -> base;
            case STEP -> {
                double f = epoch >= Math.ceil(0.75 * epochs) && epochs >= 4 ? 0.01
                        : epoch >= Math.ceil(0.5 * epochs) && epochs >= 2 ? 0.1 : 1.0;
                yield (float) (base * f);
            }
            case COSINE -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * stepIndex / (double) Math.max(1, totalSteps))));
        };
    }

    @Override public String toString() { return id; }
}
