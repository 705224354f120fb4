package org.lenet5.model;

/** 2x2 stride-2 pooling, windows that do not fit are dropped (floor), as in PyTorch and cuDNN. */
public enum Pooling {
    /** Max over the window; the gradient goes to the first maximum in row-major order. */
    MAX,
    /** Mean over the window. */
    AVERAGE
}
