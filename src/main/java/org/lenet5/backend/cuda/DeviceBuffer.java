package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.runtime.JCuda;

import static jcuda.runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost;
import static jcuda.runtime.cudaMemcpyKind.cudaMemcpyHostToDevice;

/**
 * One device allocation with a name and a shape for messages, e.g. "conv1 output (512, 6, 24, 24)".
 * Allocated once, freed by close(); copies to and from the host are synchronous (cudaMemcpy), which is
 * what the few per-step reads (the batch totals) need anyway.
 */
public final class DeviceBuffer implements AutoCloseable {

    /** Element types and their sizes in bytes. */
    public enum Type {
        FLOAT(4), INT(4), BYTE(1), DOUBLE(8);

        final int bytes;

        Type(int bytes) { this.bytes = bytes; }
    }

    private final String name;
    private final String shape;
    private final Type type;
    private final long elements;
    private Pointer pointer;

    private DeviceBuffer(String name, String shape, Type type, long elements, Pointer pointer) {
        this.name = name;
        this.shape = shape;
        this.type = type;
        this.elements = elements;
        this.pointer = pointer;
    }

    /**
     * @param shape e.g. "(N=512, 6, 24, 24)"; only for messages
     */
    public static DeviceBuffer allocate(String name, String shape, Type type, long elements) {
        if (elements < 1) throw new IllegalArgumentException(name + ": " + elements + " elements");
        Pointer p = new Pointer();
        long bytes = elements * type.bytes;
        int status = JCuda.cudaMalloc(p, bytes);
        if (status != 0) {
            throw CudaErrors.failure(CudaErrors.Library.RUNTIME, status, "cudaMalloc",
                    name + " " + shape + ", " + Bytes.format(bytes) + freeMemoryNote());
        }
        return new DeviceBuffer(name, shape, type, elements, p);
    }

    private static String freeMemoryNote() {
        long[] free = new long[1], total = new long[1];
        if (JCuda.cudaMemGetInfo(free, total) != 0) return "";
        return " (" + Bytes.format(free[0]) + " of " + Bytes.format(total[0]) + " free)";
    }

    public Pointer pointer() {
        if (pointer == null) throw new IllegalStateException(this + " was freed");
        return pointer;
    }

    /** A pointer to element {@code index}. */
    public Pointer at(long index) {
        if (index < 0 || index > elements) throw new IndexOutOfBoundsException(index + " in " + this);
        return pointer().withByteOffset(index * type.bytes);
    }

    public long elements() { return elements; }

    public long bytes() { return elements * type.bytes; }

    public void upload(float[] src, int count) { copyIn(Pointer.to(src), count, Type.FLOAT, src.length); }

    public void upload(int[] src, int from, int count) {
        if (from < 0 || from + count > src.length) throw new IndexOutOfBoundsException("[" + from + ", " + (from + count) + ") of " + src.length);
        copyIn(Pointer.to(src).withByteOffset(4L * from), count, Type.INT, count);
    }

    public void upload(byte[] src) { copyIn(Pointer.to(src), src.length, Type.BYTE, src.length); }

    public void download(float[] dst, int count) { copyOut(Pointer.to(dst), count, Type.FLOAT, dst.length); }

    public void download(double[] dst, int count) { copyOut(Pointer.to(dst), count, Type.DOUBLE, dst.length); }

    /** Sets every byte to zero. */
    public void clear() {
        CudaErrors.runtime(JCuda.cudaMemset(pointer(), 0, bytes()), "cudaMemset", this);
    }

    private void copyIn(Pointer host, long count, Type t, long hostLength) {
        check(count, t, hostLength);
        if (count == 0) return;
        CudaErrors.runtime(JCuda.cudaMemcpy(pointer(), host, count * t.bytes, cudaMemcpyHostToDevice),
                "cudaMemcpy to the device", this);
    }

    private void copyOut(Pointer host, long count, Type t, long hostLength) {
        check(count, t, hostLength);
        if (count == 0) return;
        CudaErrors.runtime(JCuda.cudaMemcpy(host, pointer(), count * t.bytes, cudaMemcpyDeviceToHost),
                "cudaMemcpy to the host", this);
    }

    private void check(long count, Type t, long hostLength) {
        if (t != type) throw new IllegalArgumentException(this + " holds " + type + ", not " + t);
        if (count < 0 || count > elements || count > hostLength)
            throw new IndexOutOfBoundsException(count + " elements for " + this + " and a host array of " + hostLength);
    }

    @Override
    public void close() {
        if (pointer == null) return;
        Pointer p = pointer;
        pointer = null;
        CudaErrors.runtime(JCuda.cudaFree(p), "cudaFree", this);
    }

    @Override public String toString() { return name + " " + shape; }
}
