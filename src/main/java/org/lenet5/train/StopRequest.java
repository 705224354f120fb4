package org.lenet5.train;

/**
 * A request from another thread (the Ctrl-C handler) that training stop at the next safe point: after the
 * current step, with a checkpoint. One object per run, passed in; the trainer only reads it.
 */
public final class StopRequest {

    private volatile String reason;

    /** Asks the trainer to stop; the reason ("SIGINT") goes into the message. The first reason is kept. */
    public void request(String why) {
        if (reason == null) reason = why;
    }

    public boolean requested() { return reason != null; }

    /** Why the stop was asked for, or null. */
    public String reason() { return reason; }
}
