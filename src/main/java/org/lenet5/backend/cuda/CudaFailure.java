package org.lenet5.backend.cuda;

import org.lenet5.util.UserException;

/**
 * A CUDA, cuDNN, cuBLAS or NVRTC call that failed, as one line naming the call, the shapes it worked on and the
 * library's status; out of device memory adds what to do about it.
 */
public final class CudaFailure extends UserException {

    private final boolean outOfMemory;

    public CudaFailure(String message, boolean outOfMemory) {
        super(message);
        this.outOfMemory = outOfMemory;
    }

    public boolean outOfMemory() { return outOfMemory; }
}
