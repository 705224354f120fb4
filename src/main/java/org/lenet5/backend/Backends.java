package org.lenet5.backend;

import org.lenet5.backend.cpu.CpuBackend;
import org.lenet5.backend.cuda.CudaBackend;
import org.lenet5.backend.cuda.CudaProbe;
import org.lenet5.backend.cuda.CudaStatus;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.UserException;

import java.io.PrintStream;
import java.util.function.Supplier;

/** Builds the backend that --backend names. */
public final class Backends {

    private Backends() {}

    /**
     * @param notices where a one-line notice goes when auto falls back (stderr in the CLI)
     */
    public static Backend create(BackendOptions options, ModelSpec spec, Preprocessing prep, int maxBatch, PrintStream notices) {
        return switch (options.kind()) {
            case REFERENCE -> new ReferenceBackend(spec, prep, maxBatch);
            case CPU -> cpu(options, spec, prep, maxBatch);
            case CUDA -> new CudaBackend(spec, prep, maxBatch, options.deterministic());
            case AUTO -> auto(options, spec, prep, maxBatch, notices, CudaProbe.probe(), () -> cpu(options, spec, prep, maxBatch));
        };
    }

    /**
     * Fails now, with the one-line reason, when the named backend cannot start on this machine (cuda without the
     * GPU stack, cpu without the Vector API module), so a command can say so before it loads any data.
     */
    public static void requireAvailable(BackendKind kind) {
        switch (kind) {
            case CUDA -> CudaProbe.probe().requireUsable();
            case CPU -> requireVectorModule();
            case AUTO, REFERENCE -> { }
        }
    }

    private static void requireVectorModule() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            throw new UserException("the cpu backend needs the JVM option --add-modules jdk.incubator.vector"
                    + " (the lenet5 launcher adds it); or use --backend reference");
    }

    private static Backend cpu(BackendOptions options, ModelSpec spec, Preprocessing prep, int maxBatch) {
        requireVectorModule();
        return new CpuBackend(spec, prep, maxBatch, options.threads());
    }

    /**
     * cuda when the probe found the whole GPU stack and the backend starts; otherwise the cpu backend, after one
     * notice line saying why.
     */
    static Backend auto(BackendOptions options, ModelSpec spec, Preprocessing prep, int maxBatch, PrintStream notices,
                        CudaStatus status, Supplier<Backend> cpu) {
        String reason;
        if (status.usable()) {
            try {
                return new CudaBackend(status, spec, prep, maxBatch, options.deterministic());
            } catch (UserException e) {
                reason = e.getMessage();
            } catch (LinkageError e) {
                reason = "a CUDA library failed to load (" + e.getClass().getSimpleName() + ")";
            }
        } else {
            reason = status.reason();
        }
        notices.println(autoFallbackNotice(reason));
        notices.flush();
        return cpu.get();
    }

    /** The notice --backend auto prints when it uses the CPU: one line, with the reason the GPU was not used. */
    public static String autoFallbackNotice(String reason) {
        return "notice: --backend auto is using the cpu backend: " + reason.replace('\n', ' ');
    }
}
