package org.lenet5.data;

import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lenet5.data.IdxBytes.gzip;
import static org.lenet5.data.IdxBytes.idx;
import static org.lenet5.data.IdxBytes.images;
import static org.lenet5.data.IdxBytes.labels;
import static org.lenet5.data.IdxBytes.pattern;
import static org.lenet5.data.IdxBytes.write;

class IdxReaderTest {

    @TempDir
    Path dir;

    private final byte[] pixels = pattern(3 * 4 * 5);           // (3, 4, 5)
    private final byte[] validImages = images(3, 4, 5, pixels);
    private final byte[] validLabels = labels((byte) 7, (byte) 0, (byte) 9);

    /** Reads images from the given bytes and returns the one-line message, which must name the file. */
    private String imagesError(String fileName, byte[] content) {
        Path f = write(dir.resolve(fileName), content);
        UserException e = assertThrows(UserException.class, () -> IdxReader.readImages(f));
        return checkedMessage(e, f);
    }

    private String labelsError(String fileName, byte[] content) {
        Path f = write(dir.resolve(fileName), content);
        UserException e = assertThrows(UserException.class, () -> IdxReader.readLabels(f));
        return checkedMessage(e, f);
    }

    private static String checkedMessage(UserException e, Path f) {
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ": "), "message names the file: " + m);
        assertFalse(m.contains("\n"), "message is one line: " + m);
        return m;
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    @Test
    void rawAndGzipFilesReadTheSameImagesAndLabels() {
        IdxReader.IdxImages raw = IdxReader.readImages(write(dir.resolve("raw-images"), validImages));
        IdxReader.IdxImages gz = IdxReader.readImages(write(dir.resolve("gz-images"), gzip(validImages)));
        for (IdxReader.IdxImages im : new IdxReader.IdxImages[] {raw, gz}) {
            assertEquals(3, im.count());
            assertEquals(4, im.rows());
            assertEquals(5, im.cols());
            assertArrayEquals(pixels, im.pixels());
        }
        IdxReader.IdxLabels rawLabels = IdxReader.readLabels(write(dir.resolve("raw-labels"), validLabels));
        IdxReader.IdxLabels gzLabels = IdxReader.readLabels(write(dir.resolve("gz-labels"), gzip(validLabels)));
        assertArrayEquals(new byte[] {7, 0, 9}, rawLabels.labels());
        assertArrayEquals(new byte[] {7, 0, 9}, gzLabels.labels());
    }

    @Test
    void gzipIsRecognisedByItsLeadingBytesNotByTheFileName() {
        IdxReader.IdxImages gzNamedIdx = IdxReader.readImages(write(dir.resolve("images.idx"), gzip(validImages)));
        IdxReader.IdxImages rawNamedGz = IdxReader.readImages(write(dir.resolve("images.gz"), validImages));
        assertArrayEquals(pixels, gzNamedIdx.pixels());
        assertArrayEquals(pixels, rawNamedGz.pixels());
    }

    @Test
    void truncatedGzipStreamIsRejectedWithItsName() {
        byte[] gz = gzip(validImages);
        assertContains(imagesError("cut.gz", Arrays.copyOf(gz, gz.length / 2)), "truncated gzip stream");
        assertContains(imagesError("only-magic.gz", new byte[] {0x1f, (byte) 0x8b}), "truncated gzip stream");
    }

    @Test
    void gzipStreamWithAWrongChecksumIsRejected() {
        byte[] gz = gzip(validImages);
        gz[gz.length - 8] ^= 1; // CRC-32 of the trailer
        assertContains(imagesError("bad-crc.gz", gz), "corrupt gzip stream");
    }

    @Test
    void unknownMagicNumberIsRejected() {
        String m = imagesError("magic", idx(new int[] {0x00000903, 3, 4, 5}, pixels));
        assertContains(m, "unknown magic number 0x00000903");
        assertContains(m, "0x00000803");
        assertContains(labelsError("text", "hello, this is not IDX".getBytes()), "unknown magic number 0x68656C6C");
    }

    @Test
    void wrongNumberOfDimensionsIsRejected() {
        assertContains(imagesError("dims2", idx(new int[] {0x00000802, 3, 20}, pixels)),
                "has 2 dimensions where an IDX images file has 3");
        assertContains(imagesError("labels-as-images", validLabels), "has 1 dimension where an IDX images file has 3"
                + " (is it a labels file?)");
        assertContains(labelsError("images-as-labels", validImages), "(is it an images file?)");
    }

    @Test
    void headerClaimingMoreImagesThanTheFileHoldsIsRejected() {
        byte[] claimsFour = images(4, 4, 5, pixels);
        assertContains(imagesError("short", claimsFour),
                "header claims 4 images of 4x5 (80 bytes) but the file holds only 60 bytes after the 16-byte header");
        assertContains(imagesError("short.gz", gzip(claimsFour)),
                "header claims 4 images of 4x5 (80 bytes) but the decompressed file holds only 60 bytes");
        byte[] labelsClaimFour = idx(new int[] {IdxReader.LABELS_MAGIC, 4}, new byte[] {1, 2, 3});
        assertContains(labelsError("short-labels", labelsClaimFour), "header claims 4 labels (4 bytes) but the file"
                + " holds only 3 bytes");
    }

    @Test
    void trailingGarbageAfterTheClaimedItemsIsRejected() {
        byte[] extra = Arrays.copyOf(validImages, validImages.length + 7);
        assertContains(imagesError("long", extra), "trailing garbage: 7 bytes after the 3 images of 4x5");
        assertContains(imagesError("long.gz", gzip(extra)), "trailing garbage after the 3 images of 4x5");
    }

    @Test
    void labelOutside0To9IsRejectedWithItsPosition() {
        assertContains(labelsError("labels", labels((byte) 1, (byte) 2, (byte) 10)), "label 10 of item 2 is outside 0-9");
        assertContains(labelsError("labels.gz", gzip(labels((byte) -1))), "label 255 of item 0 is outside 0-9");
    }

    @Test
    void absurdHeadersAreRefusedBeforeAnythingIsAllocated() {
        // 2^31 images claimed by a 20-byte file: refused on the header alone.
        assertContains(imagesError("huge-count", idx(new int[] {IdxReader.IMAGES_MAGIC, 0x80000000, 28, 28}, new byte[4])),
                "header claims 2147483648 images, more than the 1000000 supported");
        assertContains(imagesError("huge-rows", idx(new int[] {IdxReader.IMAGES_MAGIC, 1, 5000, 28}, new byte[4])),
                "header claims 5000 rows, more than the 1024 supported");
        assertContains(labelsError("huge-labels", idx(new int[] {IdxReader.LABELS_MAGIC, -1}, new byte[4])),
                "header claims 4294967295 labels");
        // Within each limit but 10^12 bytes in all: no Java array holds it, so allocating would throw OutOfMemoryError.
        assertContains(imagesError("huge-total", idx(new int[] {IdxReader.IMAGES_MAGIC, 1_000_000, 1024, 1024},
                new byte[4])), "more than one array can hold");
        // 784 MB claimed by a 20-byte raw file and by a gzip file far too small to expand to it.
        assertContains(imagesError("big-claim", idx(new int[] {IdxReader.IMAGES_MAGIC, 1_000_000, 28, 28}, new byte[4])),
                "(784000000 bytes) but the file holds only 4 bytes");
        byte[] smallGz = gzip(idx(new int[] {IdxReader.IMAGES_MAGIC, 1_000_000, 28, 28}, new byte[4]));
        assertContains(imagesError("big-claim.gz", smallGz), "header claims 1000000 images of 28x28 (784000000 bytes),"
                + " more than a " + smallGz.length + "-byte gzip file can hold");
    }

    @Test
    void fileEndingInsideTheHeaderIsRejected() {
        assertContains(imagesError("empty", new byte[0]), "file ends inside the header (magic number)");
        assertContains(imagesError("six-bytes", Arrays.copyOf(validImages, 6)), "file ends inside the header (number of"
                + " images)");
        assertContains(imagesError("six-bytes.gz", gzip(Arrays.copyOf(validImages, 6))), "file ends inside the header");
    }

    @Test
    void zeroSizesAreRejected() {
        assertContains(imagesError("zero", images(0, 4, 5, new byte[0])), "header says 0 images");
        assertContains(imagesError("zero-cols", images(3, 4, 0, new byte[0])), "header says 0 columns");
    }

    @Test
    void missingFileAndDirectoryAreNamed() {
        Path missing = dir.resolve("nope");
        UserException e = assertThrows(UserException.class, () -> IdxReader.readImages(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        UserException d = assertThrows(UserException.class, () -> IdxReader.readLabels(dir));
        assertEquals(dir + ": is a directory, not an IDX file", d.getMessage());
    }

    @Test
    void aFileLargerThanTheFirstGzipBufferIsReadWhole() throws Exception {
        // 30 images of 200x200 = 1.2 MB: more than the first 1 MiB buffer, so the growing path is used.
        byte[] big = pattern(30 * 200 * 200);
        Path f = Files.write(dir.resolve("big.gz"), gzip(images(30, 200, 200, big)));
        assertArrayEquals(big, IdxReader.readImages(f).pixels());
    }
}
