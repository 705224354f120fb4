package org.lenet5.backend;

import org.lenet5.backend.cpu.CpuBackend;
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
            case CPU, AUTO -> cpu(options, spec, prep, maxBatch);
            case CUDA -> throw new UserException("backend " + options.kind() + " is not built yet");
        };
    }

    private static Backend cpu(BackendOptions options, ModelSpec spec, Preprocessing prep, int maxBatch) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            throw new UserException("the cpu backend needs the JVM option --add-modules jdk.incubator.vector"
                    + " (the lenet5 launcher adds it); or use --backend reference");
        return new CpuBackend(spec, prep, maxBatch, options.threads());
    }
}
