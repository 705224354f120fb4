package org.lenet5.model;

/** Named intermediate tensors of the forward pass, for comparing backends layer by layer. */
public enum LayerOutput {
    INPUT, CONV1, ACT1, POOL1, CONV2, ACT2, POOL2, FC1, ACT3, FC2, ACT4, LOGITS, PROBABILITIES
}
