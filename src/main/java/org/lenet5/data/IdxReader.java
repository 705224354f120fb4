package org.lenet5.data;

import org.lenet5.util.UserException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (http://yann.lecun.com/exdb/mnist/), raw or gzipped; gzip is recognised by its first two bytes
 * (1f 8b), never by the file name. The header is checked against the file before the payload is allocated, and
 * the payload must fill the file exactly: any problem is a one-line {@link UserException} naming the file.
 */
public final class IdxReader {

    /** Magic numbers: two zero bytes, the data type (0x08 = unsigned byte), the number of dimensions. */
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;
    /** Sizes beyond these are refused as absurd before anything is allocated (MNIST: 60000 images of 28x28). */
    public static final long MAX_ITEMS = 1_000_000, MAX_SIDE = 1024;
    /** Deflate expands at most about 1032:1, so a gzip file of n bytes cannot hold more than 1032 n bytes. */
    static final long MAX_GZIP_EXPANSION = 1032;
    /** A Java array holds at most this many bytes on every common JVM. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** First buffer for a gzipped payload; it grows with the data actually decompressed, never with the header's claim. */
    private static final int FIRST_GZIP_CHUNK = 1 << 20;

    /** Images as stored: (count, rows, cols) unsigned bytes. */
    public record IdxImages(int count, int rows, int cols, byte[] pixels) {}

    /** Labels as stored, each checked to be in 0..9: (count). */
    public record IdxLabels(int count, byte[] labels) {}

    private IdxReader() {}

    public static IdxImages readImages(Path file) {
        try (Source s = Source.open(file)) {
            readMagic(s, IMAGES_MAGIC, "images");
            long count = readSize(s, "images", MAX_ITEMS), rows = readSize(s, "rows", MAX_SIDE),
                    cols = readSize(s, "columns", MAX_SIDE);
            String what = count + " images of " + rows + "x" + cols;
            byte[] pixels = readPayload(s, count * rows * cols, 16, what);
            return new IdxImages((int) count, (int) rows, (int) cols, pixels);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    public static IdxLabels readLabels(Path file) {
        try (Source s = Source.open(file)) {
            readMagic(s, LABELS_MAGIC, "labels");
            long count = readSize(s, "labels", MAX_ITEMS);
            byte[] labels = readPayload(s, count, 8, count + " labels");
            for (int i = 0; i < labels.length; i++)
                if (labels[i] < 0 || labels[i] > 9)
                    throw s.error("label " + Byte.toUnsignedInt(labels[i]) + " of item " + i + " is outside 0-9");
            return new IdxLabels((int) count, labels);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static void readMagic(Source s, int expected, String kind) throws IOException {
        int magic = s.readInt("magic number");
        int dims = magic & 0xFF;
        if ((magic & 0xFFFFFF00) != (expected & 0xFFFFFF00))
            throw s.error(String.format("unknown magic number 0x%08X (an IDX %s file starts with 0x%08X)",
                    magic, kind, expected));
        int expectedDims = expected & 0xFF;
        if (dims != expectedDims)
            throw s.error("has " + dims + (dims == 1 ? " dimension" : " dimensions") + " where an IDX " + kind
                    + " file has " + expectedDims
                    + (dims == 1 ? " (is it a labels file?)" : dims == 3 ? " (is it an images file?)" : ""));
    }

    /** One header dimension, unsigned, refused when 0 or above max. */
    private static long readSize(Source s, String what, long max) throws IOException {
        long n = Integer.toUnsignedLong(s.readInt("number of " + what));
        if (n == 0) throw s.error("header says 0 " + what);
        if (n > max) throw s.error("header claims " + n + " " + what + ", more than the " + max + " supported");
        return n;
    }

    /**
     * Reads exactly {@code bytes} payload bytes, which must end the file. The claim is checked against what the file
     * can hold before any allocation; a gzipped payload is read into a buffer that grows only with real data.
     */
    private static byte[] readPayload(Source s, long bytes, int headerBytes, String what) throws IOException {
        String claim = "header claims " + what + " (" + bytes + " bytes)";
        if (bytes > MAX_ARRAY) throw s.error(claim + ", more than one array can hold");
        if (!s.gzip && headerBytes + bytes > s.fileBytes)
            throw s.error(claim + " but the file holds only " + (s.fileBytes - headerBytes) + " bytes after the "
                    + headerBytes + "-byte header (truncated?)");
        if (!s.gzip && headerBytes + bytes < s.fileBytes)
            throw s.error("trailing garbage: " + (s.fileBytes - headerBytes - bytes) + " bytes after the " + what
                    + " the header claims");
        if (s.gzip && headerBytes + bytes > s.fileBytes * MAX_GZIP_EXPANSION)
            throw s.error(claim + ", more than a " + s.fileBytes + "-byte gzip file can hold");

        byte[] buf = s.allocate((int) (s.gzip ? Math.min(bytes, FIRST_GZIP_CHUNK) : bytes));
        int filled = 0;
        while (filled < bytes) {
            if (filled == buf.length) buf = s.grow(buf, (int) Math.min(bytes, 2L * buf.length));
            int n = s.read(buf, filled, buf.length - filled);
            if (n < 0) break;
            filled += n;
        }
        if (filled < bytes)
            throw s.error(claim + " but the " + (s.gzip ? "decompressed " : "") + "file holds only " + filled
                    + " bytes after the " + headerBytes + "-byte header (truncated?)");
        // Reading to the end also makes GZIPInputStream check the stream's CRC and length.
        if (s.read() >= 0)
            throw s.error("trailing garbage after the " + what + " the header claims");
        return buf;
    }

    private static UserException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return new UserException(file + ": no such file");
        return new UserException(file + ": cannot read (" + oneLine(e) + ")", e);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    /** An open IDX file: its name, size, whether it is gzipped, and the (decompressed) stream. */
    private static final class Source implements AutoCloseable {
        final Path file;
        final long fileBytes;
        final boolean gzip;
        final InputStream in;

        private Source(Path file, long fileBytes, boolean gzip, InputStream in) {
            this.file = file;
            this.fileBytes = fileBytes;
            this.gzip = gzip;
            this.in = in;
        }

        static Source open(Path file) throws IOException {
            if (Files.isDirectory(file)) throw new UserException(file + ": is a directory, not an IDX file");
            long size = Files.size(file);
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                boolean gzip = GzipSniffer.startsWithGzipMagic(raw);
                InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
                return new Source(file, size, gzip, in);
            } catch (IOException e) {
                raw.close();
                throw new UserException(file + ": " + gzipProblem(e), e);
            } catch (RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        int readInt(String what) throws IOException {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int b = read();
                if (b < 0) throw error("file ends inside the header (" + what + ")");
                v = (v << 8) | b;
            }
            return v;
        }

        int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                if (gzip) throw error(gzipProblem(e));
                throw e;
            }
        }

        int read(byte[] buf, int off, int len) throws IOException {
            try {
                return in.read(buf, off, len);
            } catch (IOException e) {
                if (gzip) throw error(gzipProblem(e));
                throw e;
            }
        }

        byte[] allocate(int n) {
            try {
                return new byte[n];
            } catch (OutOfMemoryError e) {
                throw error("not enough Java heap for " + n + " bytes; raise it with JAVA_OPTS=-Xmx...");
            }
        }

        byte[] grow(byte[] buf, int n) {
            byte[] bigger = allocate(n);
            System.arraycopy(buf, 0, bigger, 0, buf.length);
            return bigger;
        }

        UserException error(String problem) { return new UserException(file + ": " + problem); }

        @Override
        public void close() throws IOException { in.close(); }
    }

    /** Gzip decoding failures as the user should read them. */
    static String gzipProblem(IOException e) {
        if (e instanceof EOFException) return "truncated gzip stream (" + oneLine(e) + ")";
        if (e instanceof ZipException) return "corrupt gzip stream (" + oneLine(e) + ")";
        return "cannot read gzip stream (" + oneLine(e) + ")";
    }
}
