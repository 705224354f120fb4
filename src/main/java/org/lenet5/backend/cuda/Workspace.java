package org.lenet5.backend.cuda;

import jcuda.Pointer;

/**
 * The cuDNN convolution workspace, shared by every convolution call. It is sized to the largest amount the
 * chosen algorithms ask for at any batch size seen so far: the maximum batch at construction, and a later
 * batch size (such as the last, partial batch of an epoch) grows it once if its algorithms need more.
 */
final class Workspace implements AutoCloseable {

    private DeviceBuffer buffer;   // (bytes), or none while no algorithm needs a workspace

    /** Bytes available now. */
    long bytes() { return buffer == null ? 0 : buffer.bytes(); }

    /** Grows to at least {@code bytes} (never shrinks). */
    void ensure(long bytes) {
        if (bytes <= bytes()) return;
        if (buffer != null) buffer.close();
        buffer = null;
        buffer = DeviceBuffer.allocate("cuDNN workspace", "(" + bytes + " bytes)", DeviceBuffer.Type.BYTE, bytes);
    }

    /** The workspace pointer; NULL while it is empty (cuDNN accepts NULL with size 0). */
    Pointer pointer() { return buffer == null ? new Pointer() : buffer.pointer(); }

    @Override
    public void close() {
        if (buffer != null) buffer.close();
        buffer = null;
    }
}
