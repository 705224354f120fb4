package org.lenet5.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.testing.FuzzVolumeSummary;
import org.lenet5.testing.TestImages;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What predict reads from other people: damaged PNG and JPEG files (truncated, bytes flipped, the declared size
 * edited, random bodies behind a valid signature). Each case must end in either a 28x28 MNIST-style image or one
 * UserException line naming the file; never another exception, an OutOfMemoryError or a hang. A declared size
 * over the limits must be refused from the header ("declares WxH pixels"). Seeded, so a case number reproduces.
 */
class DigitImageFuzzTest {

    static final long SEED = 0xD161_7F022L;
    static final int CASES_PER_MUTATION = 200;

    enum Mutation { TRUNCATE, FLIP, DECLARED_SIZE, GARBAGE }

    @TempDir Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a hang guard, not a timing check
    void damagedImagesEitherGiveADigitImageOrOneLineNamingTheFile(TestReporter reporter) throws IOException {
        BufferedImage seven = small(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK));
        BufferedImage grey = new BufferedImage(seven.getWidth(), seven.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(seven, 0, 0, null);
        String[] names = {"rgb.png", "grey.png", "rgb.jpg"};
        byte[][] bases = {encode(seven, "png"), encode(grey, "png"), encode(seven, "jpg")};
        SeededRandom rng = new SeededRandom(SEED);
        int cases = 0, decoded = 0, refusedFromHeader = 0, refused = 0;
        for (int b = 0; b < bases.length; b++) {
            for (Mutation m : Mutation.values()) {
                for (int i = 0; i < CASES_PER_MUTATION; i++, cases++) {
                    byte[] bytes = mutate(m, bases[b], names[b].endsWith(".png"), rng);
                    Path f = dir.resolve("case-" + cases + "-" + names[b]);
                    Files.write(f, bytes);
                    String where = "case " + cases + " (" + m + " of " + names[b] + ", seed " + SEED + ")";
                    try {
                        byte[] digit = DigitImagePreprocessor.fromFile(f);
                        assertEquals(28 * 28, digit.length, where);
                        decoded++;
                    } catch (UserException e) {
                        String msg = e.getMessage();
                        assertTrue(msg.contains(f.toString()), where + ": names the file: " + msg);
                        assertFalse(msg.contains("\n") || msg.contains("\r"), where + ": one line: " + msg);
                        if (msg.contains(" declares ") && msg.contains("refusing to decode")) refusedFromHeader++;
                        else refused++;
                    } catch (Throwable t) {
                        fail(where + " threw " + t, t);
                    } finally {
                        Files.delete(f);
                    }
                }
            }
        }
        System.out.printf("image fuzz (predict): %d cases (seed %#x): %d decoded, %d refused from the declared size,"
                + " %d refused as undecodable or blank%n", cases, SEED, decoded, refusedFromHeader, refused);
        reporter.publishEntry(FuzzVolumeSummary.entry("image reader", cases));
        assertEquals(cases, decoded + refusedFromHeader + refused);
        assertTrue(decoded > 0 && refusedFromHeader > 0 && refused > 0, "the mutations reach every outcome");
    }

    /** The 300x400 test drawing at 60x80, so thousands of cases decode quickly. */
    private static BufferedImage small(BufferedImage big) {
        BufferedImage s = new BufferedImage(60, 80, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = s.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(big, 0, 0, 60, 80, null);
        g.dispose();
        return s;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out));
        return out.toByteArray();
    }

    /** Sizes a decoder has to get right: empty, tiny, just inside and just over the limits, negative, huge. */
    private static final int[] SIDES = {0, 1, 2, 28, 7071, 7072, 20_000, 20_001, 65_535, 100_000, 1 << 30, -1,
            Integer.MAX_VALUE, Integer.MIN_VALUE};

    static byte[] mutate(Mutation m, byte[] valid, boolean png, SeededRandom rng) {
        switch (m) {
            case TRUNCATE -> {
                return Arrays.copyOf(valid, rng.nextInt(valid.length));
            }
            case FLIP -> {
                byte[] d = valid.clone();
                for (int k = 1 + rng.nextInt(8); k > 0; k--) d[rng.nextInt(d.length)] ^= (byte) (1 + rng.nextInt(255));
                return d;
            }
            case DECLARED_SIZE -> {
                byte[] d = valid.clone();
                ByteBuffer b = ByteBuffer.wrap(d);
                if (png) {
                    // IHDR's width and height, then its CRC repaired (so a reader that checks it still looks further).
                    if (rng.nextInt(3) > 0) b.putInt(16, SIDES[rng.nextInt(SIDES.length)]);
                    if (rng.nextInt(3) > 0) b.putInt(20, SIDES[rng.nextInt(SIDES.length)]);
                    CRC32 crc = new CRC32();
                    crc.update(d, 12, 17);
                    b.putInt(29, (int) crc.getValue());
                } else {
                    int sof = -1;
                    for (int i = 2; i + 1 < d.length; i++)
                        if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0xC0) { sof = i; break; }
                    assertTrue(sof > 0, "baseline JPEG frame header");
                    if (rng.nextInt(3) > 0) b.putShort(sof + 5, (short) SIDES[rng.nextInt(SIDES.length)]);
                    if (rng.nextInt(3) > 0) b.putShort(sof + 7, (short) SIDES[rng.nextInt(SIDES.length)]);
                }
                return d;
            }
            case GARBAGE -> {
                int keep = png ? 8 : 4;   // the PNG signature, or JPEG's SOI and first marker
                byte[] d = new byte[keep + rng.nextInt(2048)];
                System.arraycopy(valid, 0, d, 0, keep);
                for (int i = keep; i < d.length; i++) d[i] = (byte) rng.nextInt(256);
                return d;
            }
        }
        throw new AssertionError(m);
    }
}
