package org.lenet5.model;

import java.util.Arrays;

/**
 * A named view into the flat parameter buffer.
 *
 * @param name   e.g. "conv1.weight"
 * @param shape  e.g. {6, 1, 5, 5}
 * @param offset first element in the flat buffer
 * @param fanIn  inputs feeding each output unit (for initialisation)
 * @param fanOut outputs each input feeds
 */
public record ParamTensor(String name, int[] shape, int offset, int fanIn, int fanOut) {

    public ParamTensor {
        shape = shape.clone();
    }

    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public int end() { return offset + size(); }

    public boolean isBias() { return name.endsWith(".bias"); }

    @Override public int[] shape() { return shape.clone(); }

    public String shapeString() {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    @Override public boolean equals(Object o) {
        return o instanceof ParamTensor p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.offset == offset && p.fanIn == fanIn && p.fanOut == fanOut;
    }

    @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override public String toString() { return name + shapeString() + "@" + offset; }
}
