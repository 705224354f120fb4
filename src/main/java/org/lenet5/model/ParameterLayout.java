package org.lenet5.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * All weights of one network live in one flat buffer (and all gradients in another of the same layout),
 * as in llm.c: one optimizer loop updates everything, a checkpoint is one array plus a header,
 * comparing two backends is one diff.
 *
 * <pre>
 * conv1.weight (6, 1, 5, 5)     conv1.bias (6)
 * conv2.weight (16, 6, 5, 5)    conv2.bias (16)
 * fc1.weight   (120, flat)      fc1.bias   (120)
 * fc2.weight   (84, 120)        fc2.bias   (84)
 * fc3.weight   (10, 84)         fc3.bias   (10)
 * </pre>
 * 44,426 parameters for flux 28x28 (flat 256), 61,706 for classic 32x32 (flat 400).
 */
public final class ParameterLayout {

    private final List<ParamTensor> tensors;
    private final int size;
    public final ParamTensor conv1W, conv1B, conv2W, conv2B, fc1W, fc1B, fc2W, fc2B, fc3W, fc3B;

    public ParameterLayout(ModelSpec spec) {
        int k = ModelSpec.KERNEL;
        List<ParamTensor> t = new ArrayList<>();
        int[] off = {0};
        conv1W = add(t, off, "conv1.weight", new int[]{ModelSpec.C1, 1, k, k}, k * k, ModelSpec.C1 * k * k);
        conv1B = add(t, off, "conv1.bias", new int[]{ModelSpec.C1}, k * k, ModelSpec.C1 * k * k);
        conv2W = add(t, off, "conv2.weight", new int[]{ModelSpec.C2, ModelSpec.C1, k, k},
                ModelSpec.C1 * k * k, ModelSpec.C2 * k * k);
        conv2B = add(t, off, "conv2.bias", new int[]{ModelSpec.C2}, ModelSpec.C1 * k * k, ModelSpec.C2 * k * k);
        int flat = spec.flatSize();
        fc1W = add(t, off, "fc1.weight", new int[]{ModelSpec.F1, flat}, flat, ModelSpec.F1);
        fc1B = add(t, off, "fc1.bias", new int[]{ModelSpec.F1}, flat, ModelSpec.F1);
        fc2W = add(t, off, "fc2.weight", new int[]{ModelSpec.F2, ModelSpec.F1}, ModelSpec.F1, ModelSpec.F2);
        fc2B = add(t, off, "fc2.bias", new int[]{ModelSpec.F2}, ModelSpec.F1, ModelSpec.F2);
        fc3W = add(t, off, "fc3.weight", new int[]{ModelSpec.CLASSES, ModelSpec.F2}, ModelSpec.F2, ModelSpec.CLASSES);
        fc3B = add(t, off, "fc3.bias", new int[]{ModelSpec.CLASSES}, ModelSpec.F2, ModelSpec.CLASSES);
        this.tensors = Collections.unmodifiableList(t);
        this.size = off[0];
    }

    private static ParamTensor add(List<ParamTensor> list, int[] off, String name, int[] shape, int fanIn, int fanOut) {
        ParamTensor p = new ParamTensor(name, shape, off[0], fanIn, fanOut);
        list.add(p);
        off[0] += p.size();
        return p;
    }

    /** Total number of parameters (the flat buffer's length). */
    public int size() { return size; }

    public List<ParamTensor> tensors() { return tensors; }

    public ParamTensor byName(String name) {
        for (ParamTensor p : tensors) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no parameter tensor named " + name);
    }

    /** The tensor that holds flat index i. */
    public ParamTensor tensorAt(int i) {
        for (ParamTensor p : tensors) if (i >= p.offset() && i < p.end()) return p;
        throw new IndexOutOfBoundsException(i);
    }
}
