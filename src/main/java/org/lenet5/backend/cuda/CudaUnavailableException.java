package org.lenet5.backend.cuda;

import org.lenet5.util.UserException;

/** The GPU, its driver or a library the CUDA backend needs is missing: one line saying which, and what to do. */
public final class CudaUnavailableException extends UserException {

    public static final String ADVICE = "use --backend cpu, or run the Docker image (docker run --gpus all ..., see README)";

    public CudaUnavailableException(String reason) {
        super("CUDA backend unavailable: " + reason + "; " + ADVICE);
    }
}
