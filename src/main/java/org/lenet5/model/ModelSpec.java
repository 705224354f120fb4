package org.lenet5.model;

/**
 * The shape of one LeNet-5 network. All tensors are NCHW, weights are (out, in, kh, kw) or (out, in),
 * as in PyTorch. Non-square inputs are allowed so tests can catch swapped height and width.
 *
 * <pre>
 * input  (N, 1, H, W)                         H = imageRows + 2*pad, W = imageCols + 2*pad
 * conv1  (N, 6, H1, W1)    H1 = H - 4          5x5, 1 -> 6, then activation
 * pool1  (N, 6, P1h, P1w)  P1 = floor(H1/2)   2x2 stride 2
 * conv2  (N, 16, H2, W2)   H2 = P1 - 4         5x5, 6 -> 16, then activation
 * pool2  (N, 16, P2h, P2w) P2 = floor(H2/2)
 * fc1    (N, 120)          from 16*P2h*P2w (256 for flux 28x28, 400 for classic 32x32), then activation
 * fc2    (N, 84)           then activation
 * logits (N, 10)           softmax cross-entropy
 * </pre>
 */
public record ModelSpec(Architecture arch, int inputHeight, int inputWidth) {

    public static final int KERNEL = 5;
    public static final int C1 = 6, C2 = 16, F1 = 120, F2 = 84, CLASSES = 10;
    /** Input sides, padding included: 16 -> 12 -> 6 -> 2 -> 1; at 15 the second pooling would leave nothing. */
    public static final int MIN_SIDE = 16, MAX_SIDE = 4096;

    public ModelSpec {
        if (arch == null) throw new IllegalArgumentException("architecture is required");
        if (inputHeight < MIN_SIDE || inputWidth < MIN_SIDE || inputHeight > MAX_SIDE || inputWidth > MAX_SIDE)
            throw new IllegalArgumentException("input " + inputHeight + "x" + inputWidth
                    + " is outside the sizes LeNet-5 can take (" + MIN_SIDE + " to " + MAX_SIDE + " pixels a side)");
    }

    /** The network for images of the given size, padded as the architecture asks. */
    public static ModelSpec forImages(Architecture arch, int rows, int cols) {
        return new ModelSpec(arch, rows + 2 * arch.padding(), cols + 2 * arch.padding());
    }

    public static ModelSpec flux() { return forImages(Architecture.FLUX, 28, 28); }
    public static ModelSpec classic() { return forImages(Architecture.CLASSIC, 28, 28); }

    public Activation activation() { return arch.activation(); }
    public Pooling pooling() { return arch.pooling(); }

    public int inputSize() { return inputHeight * inputWidth; }
    public int conv1H() { return inputHeight - KERNEL + 1; }
    public int conv1W() { return inputWidth - KERNEL + 1; }
    public int pool1H() { return conv1H() / 2; }
    public int pool1W() { return conv1W() / 2; }
    public int conv2H() { return pool1H() - KERNEL + 1; }
    public int conv2W() { return pool1W() - KERNEL + 1; }
    public int pool2H() { return conv2H() / 2; }
    public int pool2W() { return conv2W() / 2; }
    /** Length of the flattened pool2 output: (16, P2h, P2w) in C, H, W order. */
    public int flatSize() { return C2 * pool2H() * pool2W(); }

    /** Per-image element counts of every layer output, in forward order. */
    public int outputSize(LayerOutput which) {
        return switch (which) {
            case INPUT -> inputSize();
            case CONV1, ACT1 -> C1 * conv1H() * conv1W();
            case POOL1 -> C1 * pool1H() * pool1W();
            case CONV2, ACT2 -> C2 * conv2H() * conv2W();
            case POOL2 -> flatSize();
            case FC1, ACT3 -> F1;
            case FC2, ACT4 -> F2;
            case LOGITS, PROBABILITIES -> CLASSES;
        };
    }

    /** Multiply-adds of one forward pass over one image. */
    public long forwardMacs() {
        long c1 = (long) C1 * conv1H() * conv1W() * KERNEL * KERNEL;
        long c2 = (long) C2 * conv2H() * conv2W() * C1 * KERNEL * KERNEL;
        return c1 + c2 + (long) flatSize() * F1 + (long) F1 * F2 + (long) F2 * CLASSES;
    }

    @Override public String toString() {
        return arch.id() + " " + inputHeight + "x" + inputWidth;
    }
}
