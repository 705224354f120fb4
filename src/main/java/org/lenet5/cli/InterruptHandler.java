package org.lenet5.cli;

import org.lenet5.train.StopRequest;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C (SIGINT) and SIGTERM while training: the first one asks the trainer to stop after the current step and
 * write a checkpoint; a second one stops the process at once (the last checkpoint on disk stays: every write is
 * atomic). Installed around the training loop only, and the previous handlers are put back on close.
 *
 * <p>Why sun.misc.Signal (module jdk.unsupported, present in every JDK and runtime since 9 and kept for exactly
 * this use) rather than a shutdown hook: a hook runs after the JVM has already decided to exit, concurrently with
 * the training thread; it would have to block the shutdown until that thread had finished its step and written
 * the checkpoint, the exit code would be the JVM's, System.exit from the training thread would then block for
 * ever, and other hooks (the progress bar's terminal, logging) may already be tearing things down. A signal
 * handler only sets a flag; the stop happens in the training thread at a safe point, and the command chooses its
 * own exit code and message. When the JVM does not let us handle a signal (-Xrs), the default stays: the process
 * ends at once and the last checkpoint is what a resume starts from.
 */
final class InterruptHandler implements AutoCloseable {

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private InterruptHandler() {}

    /** Exit code for a run stopped by this signal name ("SIGINT" 130, "SIGTERM" 143: 128 + the number). */
    static int exitCode(String reason) {
        return "SIGTERM".equals(reason) ? 128 + 15 : 128 + 2;
    }

    static InterruptHandler install(StopRequest stop, PrintWriter err) {
        InterruptHandler h = new InterruptHandler();
        for (String name : List.of("INT", "TERM")) {
            Signal sig = new Signal(name);
            SignalHandler handler = s -> {
                if (!stop.requested()) {
                    stop.request("SIG" + s.getName());
                    err.println();
                    err.println("lenet5 train: SIG" + s.getName() + ": finishing the current step and writing a checkpoint"
                            + " (press Ctrl-C again to stop at once, keeping the last checkpoint)");
                    err.flush();
                } else {
                    err.println("lenet5 train: stopped at once; the last checkpoint written is kept");
                    err.flush();
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
            };
            try {
                h.previous.add(Signal.handle(sig, handler));
                h.signals.add(sig);
            } catch (IllegalArgumentException e) {
                // The JVM keeps this signal to itself (-Xrs, or the platform lacks it): default behaviour.
            }
        }
        return h;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) Signal.handle(signals.get(i), previous.get(i));
        signals.clear();
        previous.clear();
    }
}
