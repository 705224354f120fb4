package org.lenet5.sweep;

/** --search: every combination, or a seeded random sample of them. */
public enum SearchMode {
    GRID("grid"), RANDOM("random");

    private final String id;

    SearchMode(String id) { this.id = id; }

    public String id() { return id; }

    public static SearchMode parse(String s) {
        for (SearchMode m : values()) if (m.id.equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("unknown search '" + s + "' (expected grid or random)");
    }

    @Override public String toString() { return id; }
}
