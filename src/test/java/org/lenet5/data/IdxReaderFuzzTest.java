package org.lenet5.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.testing.FuzzVolumeSummary;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random truncations, byte flips, header edits and appended bytes of small valid IDX files, raw and gzipped.
 * Each case must end in either a read that matches an independent decoding of the mutated bytes, or one
 * UserException naming the file; never another exception, an OutOfMemoryError or a hang.
 */
class IdxReaderFuzzTest {

    static final int CASES_PER_VARIANT = 1000;

    @TempDir
    Path dir;

    private int reads, rejections;

    @Test
    @Timeout(120) // a hang guard, not a timing check: the whole run takes about a second
    void mutatedIdxFilesAreReadCorrectlyOrRejectedWithOneLine(TestReporter reporter) {
        SeededRandom rng = new SeededRandom(20240611L);
        byte[] images = IdxBytes.images(4, 3, 5, IdxBytes.pattern(4 * 3 * 5));
        byte[] labels = IdxBytes.labels((byte) 3, (byte) 1, (byte) 4, (byte) 1, (byte) 5, (byte) 9);
        int cases = 0;
        for (boolean isImages : new boolean[] {true, false}) {
            byte[] valid = isImages ? images : labels;
            for (int i = 0; i < CASES_PER_VARIANT; i++, cases++) checkCase(isImages, mutate(valid, rng), "raw " + i);
            for (int i = 0; i < CASES_PER_VARIANT; i++, cases++)
                checkCase(isImages, IdxBytes.gzip(mutate(valid, rng)), "gzip of mutated " + i);
            for (int i = 0; i < CASES_PER_VARIANT; i++, cases++)
                checkCase(isImages, mutateBytes(IdxBytes.gzip(valid), rng), "mutated gzip " + i);
        }
        System.out.println("IDX fuzz: " + cases + " cases, " + reads + " correct reads, " + rejections
                + " one-line rejections");
        reporter.publishEntry(FuzzVolumeSummary.entry("IDX reader", cases));
        assertEquals(cases, reads + rejections);
        assertTrue(reads > 0 && rejections > 0, "the mutations reach both outcomes");
    }

    private void checkCase(boolean isImages, byte[] content, String label) {
        Path f = IdxBytes.write(dir.resolve("case"), content);
        Decoded expected = decode(isImages, content);
        try {
            if (isImages) {
                IdxReader.IdxImages im = IdxReader.readImages(f);
                if (expected == null) fail(label + ": read succeeded, but the bytes are not a valid file");
                assertEquals(expected.count, im.count(), label);
                assertEquals(expected.rows, im.rows(), label);
                assertEquals(expected.cols, im.cols(), label);
                assertArrayEquals(expected.payload, im.pixels(), label);
            } else {
                IdxReader.IdxLabels lb = IdxReader.readLabels(f);
                if (expected == null) fail(label + ": read succeeded, but the bytes are not a valid file");
                assertEquals(expected.count, lb.count(), label);
                assertArrayEquals(expected.payload, lb.labels(), label);
            }
            reads++;
        } catch (UserException e) {
            if (expected != null) fail(label + ": a valid file was rejected: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(f + ": "), label + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), label);
            rejections++;
        } catch (Throwable t) {
            fail(label + ": " + t + " instead of a UserException; bytes " + Arrays.toString(content), t);
        }
    }

    /** One of: truncate, flip 1-3 bytes, set a header field to a hostile value, append bytes. */
    private static byte[] mutate(byte[] valid, SeededRandom rng) {
        byte[] b = valid.clone();
        switch (rng.nextInt(4)) {
            case 0 -> b = Arrays.copyOf(b, rng.nextInt(b.length));
            case 1 -> b = mutateBytes(b, rng);
            case 2 -> {
                int[] hostile = {0, 1, 2, 3, 4, 5, 6, 7, -1, 0x80000000, 0x7FFFFFFF, 1_000_000, 1_000_001, 1024, 1025,
                        0x00000801, 0x00000803, 0x00000C03, (int) rng.nextLong()};
                int headerInts = (ByteBuffer.wrap(valid).getInt() & 0xFF) + 1; // magic and one per dimension
                ByteBuffer.wrap(b).putInt(4 * rng.nextInt(headerInts), hostile[rng.nextInt(hostile.length)]);
            }
            default -> {
                int extra = 1 + rng.nextInt(10);
                b = Arrays.copyOf(b, b.length + extra);
                for (int i = b.length - extra; i < b.length; i++) b[i] = (byte) rng.nextLong();
            }
        }
        return b;
    }

    private static byte[] mutateBytes(byte[] valid, SeededRandom rng) {
        byte[] b = valid.clone();
        if (rng.nextInt(3) == 0) return Arrays.copyOf(b, rng.nextInt(b.length));
        for (int k = 1 + rng.nextInt(3); k > 0; k--) b[rng.nextInt(b.length)] ^= (byte) (1 + rng.nextInt(255));
        return b;
    }

    /** What a correct reader returns, decoded here independently; null when the bytes are not a valid file. */
    private record Decoded(int count, int rows, int cols, byte[] payload) {}

    private static Decoded decode(boolean isImages, byte[] content) {
        byte[] raw = content;
        if (content.length >= 2 && content[0] == 0x1f && content[1] == (byte) 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
                raw = in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        int dims = isImages ? 3 : 1;
        if (raw.length < 4 + 4 * dims) return null;
        ByteBuffer h = ByteBuffer.wrap(raw);
        if (h.getInt() != (isImages ? IdxReader.IMAGES_MAGIC : IdxReader.LABELS_MAGIC)) return null;
        long count = Integer.toUnsignedLong(h.getInt());
        long rows = isImages ? Integer.toUnsignedLong(h.getInt()) : 1, cols = isImages ? Integer.toUnsignedLong(h.getInt()) : 1;
        if (count < 1 || count > IdxReader.MAX_ITEMS || rows < 1 || rows > IdxReader.MAX_SIDE || cols < 1
                || cols > IdxReader.MAX_SIDE) return null;
        if (raw.length != 4 + 4 * dims + count * rows * cols) return null;
        byte[] payload = Arrays.copyOfRange(raw, 4 + 4 * dims, raw.length);
        if (!isImages) for (byte l : payload) if (l < 0 || l > 9) return null;
        return new Decoded((int) count, (int) rows, (int) cols, payload);
    }
}
