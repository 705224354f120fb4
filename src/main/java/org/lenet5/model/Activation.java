package org.lenet5.model;

/** Elementwise non-linearities used after every hidden layer. */
public enum Activation {
    /** max(0, x); derivative 0 at x = 0. */
    RELU,
    /** 1.7159 * tanh(2x/3), LeCun 1998. */
    SCALED_TANH;

    public static final double TANH_A = 1.7159;
    public static final double TANH_S = 2.0 / 3.0;
}
