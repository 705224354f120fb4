package org.lenet5.backend;

/**
 * How to build a backend.
 *
 * @param kind          which backend (auto picks cuda or cpu)
 * @param threads       CPU threads for the cpu backend (>= 1)
 * @param deterministic cuda only: restrict cuDNN to deterministic algorithms
 */
public record BackendOptions(BackendKind kind, int threads, boolean deterministic) {

    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }

    public static BackendOptions of(BackendKind kind) {
        return new BackendOptions(kind, defaultThreads(), false);
    }
}
