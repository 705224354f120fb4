package org.lenet5.backend;

/** --backend choices. */
public enum BackendKind {
    /** cuda when a GPU and its libraries load, otherwise cpu (with a one-line notice saying why). */
    AUTO("auto"),
    CPU("cpu"),
    REFERENCE("reference"),
    CUDA("cuda");

    private final String id;

    BackendKind(String id) { this.id = id; }

    public String id() { return id; }

    public static BackendKind parse(String s) {
        for (BackendKind k : values()) if (k.id.equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown backend '" + s + "' (expected auto, cpu, reference or cuda)");
    }

    @Override public String toString() { return id; }
}
