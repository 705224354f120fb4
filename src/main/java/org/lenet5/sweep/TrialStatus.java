package org.lenet5.sweep;

/** How a trial ended. */
public enum TrialStatus {
    /** Trained all its epochs. */
    OK("ok"),
    /** The loss or a parameter became NaN or infinite; its epoch and step are recorded, no checkpoint is kept. */
    DIVERGED("diverged"),
    /** Stopped by an error (for example out of memory); rerun when the sweep is started again. */
    FAILED("failed");

    private final String id;

    TrialStatus(String id) { this.id = id; }

    public String id() { return id; }

    /** A finished trial is not run again when the sweep restarts. */
    public boolean finished() { return this != FAILED; }

    public static TrialStatus parse(String s) {
        for (TrialStatus t : values()) if (t.id.equals(s)) return t;
        throw new IllegalArgumentException("unknown trial status '" + s + "'");
    }

    @Override public String toString() { return id; }
}
