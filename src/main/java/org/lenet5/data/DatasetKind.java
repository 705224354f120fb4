package org.lenet5.data;

import java.util.List;

/**
 * --dataset choices. Both are stored the same way: the four uncompressed IDX files under
 * {@code <data-dir>/<id>/}, with the names the original distributions use.
 */
public enum DatasetKind {
    MNIST("mnist", "MNIST handwritten digits",
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST (Zalando clothing images)",
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private final String id;
    private final String title;
    private final List<String> classNames;   // (10) what label k means

    DatasetKind(String id, String title, List<String> classNames) {
        this.id = id;
        this.title = title;
        this.classNames = classNames;
    }

    /** The name used on the command line, in the data directory and in the SHA-256 table. */
    public String id() { return id; }

    public String title() { return title; }

    /** What label k (0-9) means: the digit itself for MNIST, the clothing class for Fashion-MNIST. */
    public String className(int k) { return classNames.get(k); }

    /** True when the labels are digits, so the class number says it all. */
    public boolean digitLabels() { return this == MNIST; }

    public String trainImages() { return TRAIN_IMAGES; }
    public String trainLabels() { return TRAIN_LABELS; }
    public String testImages() { return TEST_IMAGES; }
    public String testLabels() { return TEST_LABELS; }

    /** The four file names, in the order train images, train labels, test images, test labels. */
    public List<String> fileNames() { return List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS); }

    public static DatasetKind parse(String s) {
        for (DatasetKind k : values()) if (k.id.equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown dataset '" + s + "' (expected mnist or fashion-mnist)");
    }

    @Override public String toString() { return id; }
}
