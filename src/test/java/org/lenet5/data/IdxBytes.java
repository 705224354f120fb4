package org.lenet5.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files for tests: headers written field by field, so any field can be made wrong. */
final class IdxBytes {

    private IdxBytes() {}

    /** Header ints (magic first) followed by the payload. */
    static byte[] idx(int[] header, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 * header.length + payload.length); // big-endian, as IDX is
        for (int h : header) b.putInt(h);
        b.put(payload);
        return b.array();
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return idx(new int[] {IdxReader.IMAGES_MAGIC, count, rows, cols}, pixels);
    }

    static byte[] labels(byte... labels) {
        return idx(new int[] {IdxReader.LABELS_MAGIC, labels.length}, labels);
    }

    /** Pixels (count, rows, cols) with value (i * 7 + 3) mod 256, so every byte position is distinguishable. */
    static byte[] pattern(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) p[i] = (byte) (i * 7 + 3);
        return p;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
