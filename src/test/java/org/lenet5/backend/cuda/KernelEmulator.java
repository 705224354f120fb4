package org.lenet5.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs our CUDA kernels on the CPU: native-kernels/*.cu compiled unchanged as C++ by g++ with
 * src/test/cpp/cuda_host_shim.h (real threads per block, a barrier for __syncthreads), driven by
 * src/test/cpp/kernel_emulator.cpp. Inputs and outputs are little-endian binary in the order that file lists.
 */
final class KernelEmulator {

    private final Path binary;
    private final Path dir;

    private KernelEmulator(Path binary, Path dir) {
        this.binary = binary;
        this.dir = dir;
    }

    /** Compiles the emulator into dir with g++ (no FMA contraction, as the shipped PTX). */
    static KernelEmulator build(Path gxx, Path dir) throws IOException, InterruptedException {
        Path bin = dir.resolve("kernel_emulator");
        NativeTools.run(List.of(gxx.toString(), "-std=c++20", "-O1", "-ffp-contract=off", "-pthread", "-Wall", "-Werror",
                "-I", NativeTools.kernelDir().toAbsolutePath().toString(),
                "-o", bin.toString(), Path.of("src/test/cpp/kernel_emulator.cpp").toAbsolutePath().toString()), null, 300);
        return new KernelEmulator(bin, dir);
    }

    /** Runs one kernel over the given input with grid x block threads; returns the output bytes. */
    ByteBuffer run(String kernel, int grid, int block, ByteBuffer input) throws IOException, InterruptedException {
        Path in = Files.createTempFile(dir, kernel, ".in"), out = Files.createTempFile(dir, kernel, ".out");
        byte[] bytes = new byte[input.flip().remaining()];
        input.get(bytes);
        Files.write(in, bytes);
        NativeTools.run(List.of(binary.toString(), kernel, Integer.toString(grid), Integer.toString(block), in.toString(),
                out.toString()), null, 120);
        return ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer input(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    static void putFloats(ByteBuffer b, float[] a) { for (float v : a) b.putFloat(v); }

    static void putInts(ByteBuffer b, int[] a) { for (int v : a) b.putInt(v); }

    static float[] floats(ByteBuffer b, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = b.getFloat();
        return a;
    }

    static int[] ints(ByteBuffer b, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = b.getInt();
        return a;
    }
}
