package org.lenet5.backend;

import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.UserException;

import java.io.PrintStream;

/** Builds the backend that --backend names. */
public final class Backends {

    private Backends() {}

    /**
     * @param notices where a one-line notice goes when auto falls back (stderr in the CLI)
     */
    public static Backend create(BackendOptions options, ModelSpec spec, Preprocessing prep, int maxBatch, PrintStream notices) {
        return switch (options.kind()) {
            case REFERENCE -> new ReferenceBackend(spec, prep, maxBatch);
            case CPU, AUTO, CUDA -> throw new UserException("backend " + options.kind() + " is not built yet");
        };
    }
}
