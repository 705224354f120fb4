package org.lenet5.model;

/** The two LeNet-5 variants. */
public enum Architecture {
    /** Flux.jl model-zoo LeNet-5: 28x28 input, ReLU, max pooling. */
    FLUX("flux", Activation.RELU, Pooling.MAX, 0),
    /** LeCun et al. 1998 shape: 32x32 input (MNIST padded by 2), scaled tanh, average pooling. */
    CLASSIC("classic", Activation.SCALED_TANH, Pooling.AVERAGE, 2);

    private final String id;
    private final Activation activation;
    private final Pooling pooling;
    private final int padding;

    Architecture(String id, Activation activation, Pooling pooling, int padding) {
        this.id = id;
        this.activation = activation;
        this.pooling = pooling;
        this.padding = padding;
    }

    /** The name used on the command line and in files. */
    public String id() { return id; }
    public Activation activation() { return activation; }
    public Pooling pooling() { return pooling; }
    /** Zero pixels added on each side of the image before the first convolution. */
    public int padding() { return padding; }

    public static Architecture parse(String s) {
        for (Architecture a : values()) if (a.id.equalsIgnoreCase(s)) return a;
        throw new IllegalArgumentException("unknown architecture '" + s + "' (expected flux or classic)");
    }

    @Override public String toString() { return id; }
}
