package org.lenet5.data;

import java.util.Arrays;

/**
 * Images and labels held as the bytes the IDX files store: images (count, rows, cols) unsigned,
 * labels (count) in 0..9. Immutable once built; backends keep their own copies (the GPU on the device).
 */
public final class Dataset {

    private final String name;
    private final byte[] pixels;  // (count, rows, cols)
    private final byte[] labels;  // (count)
    private final int count, rows, cols;

    public Dataset(String name, byte[] pixels, byte[] labels, int count, int rows, int cols) {
        if ((long) count * rows * cols != pixels.length)
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes for " + count + " images of "
                    + rows + "x" + cols);
        if (labels.length != count)
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + count + " images");
        for (int i = 0; i < count; i++)
            if (labels[i] < 0 || labels[i] > 9)
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i + " is outside 0-9");
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
    }

    public String name() { return name; }
    public int count() { return count; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public int imageSize() { return rows * cols; }
    public int label(int i) { return labels[i]; }

    /** The backing array (count, rows, cols); callers must not modify it. */
    public byte[] pixels() { return pixels; }
    /** The backing array (count); callers must not modify it. */
    public byte[] labels() { return labels; }

    /** Images [from, from + n) as a new dataset. */
    public Dataset slice(String newName, int from, int n) {
        if (from < 0 || n < 0 || from + n > count)
            throw new IllegalArgumentException("slice [" + from + ", " + (from + n) + ") of " + count + " images");
        int s = imageSize();
        return new Dataset(newName, Arrays.copyOfRange(pixels, from * s, (from + n) * s),
                Arrays.copyOfRange(labels, from, from + n), n, rows, cols);
    }
}
