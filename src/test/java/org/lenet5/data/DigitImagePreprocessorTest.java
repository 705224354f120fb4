package org.lenet5.data;

import org.lenet5.testing.TestImages;
import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class DigitImagePreprocessorTest {

    @TempDir Path dir;

    private Path save(BufferedImage img, String format, String name) throws IOException {
        Path f = dir.resolve(name);
        assertTrue(ImageIO.write(img, format, f.toFile()), "a writer for " + format);
        return f;
    }

    /** {top, bottom, left, right} of the non-zero pixels of a (28, 28) image. */
    static int[] inkBox(byte[] img) {
        int t = 28, b = -1, l = 28, r = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (img[y * 28 + x] != 0) { t = Math.min(t, y); b = Math.max(b, y); l = Math.min(l, x); r = Math.max(r, x); }
        return new int[]{t, b, l, r};
    }

    static double[] centreOfMass(byte[] img) {
        double m = 0, cy = 0, cx = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) {
                int v = img[y * 28 + x] & 0xFF;
                m += v; cy += v * y; cx += v * x;
            }
        return new double[]{cy / m, cx / m};
    }

    static int max(byte[] img) {
        int m = 0;
        for (byte v : img) m = Math.max(m, v & 0xFF);
        return m;
    }

    // ------------------------------------------------------------------------------------------- MNIST style

    @Test
    void drawnDigitOnWhitePngBecomesA20PixelBoxCentredByMassAt14() throws IOException {
        Path f = save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png", "seven.png");
        byte[] img = DigitImagePreprocessor.fromFile(f);
        assertEquals(28 * 28, img.length);
        int[] box = inkBox(img);
        int height = box[1] - box[0] + 1, width = box[3] - box[2] + 1;
        // The drawn 7 is 288 tall and 188 wide (pen included): the height becomes 20, the width 188*20/288 = 13.
        assertEquals(20, height, "longer side scaled to 20");
        assertEquals(13, width, "aspect ratio kept");
        double[] com = centreOfMass(img);
        // A whole-pixel shift puts the centre of mass within half a pixel of (14, 14), as in MNIST.
        assertEquals(14.0, com[0], 0.5);
        assertEquals(14.0, com[1], 0.5);
        assertEquals(255, max(img), "strongest ink is 255, as in MNIST");
        assertEquals(0, img[0], "background is 0");
    }

    @Test
    void lightDigitOnDarkBackgroundIsNotInvertedAndGivesTheSameImage() throws IOException {
        byte[] dark = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png", "a.png"));
        byte[] light = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.BLACK, Color.WHITE), "png", "b.png"));
        assertArrayEquals(dark, light);
    }

    @Test
    void transparentBackgroundIsCompositedOnWhite() throws IOException {
        byte[] white = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png", "a.png"));
        // Transparent *black* background: read naively it would be a black picture with a black digit.
        byte[] alpha = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_ARGB, new Color(0, 0, 0, 0), Color.BLACK), "png", "b.png"));
        assertArrayEquals(white, alpha);
    }

    @Test
    void greyscalePngIsReadAsStoredNotGammaConverted() throws IOException {
        byte[] rgb = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, new Color(200, 200, 200), new Color(60, 60, 60)), "png", "a.png"));
        BufferedImage grey = TestImages.drawSeven(BufferedImage.TYPE_BYTE_GRAY, new Color(200, 200, 200), new Color(60, 60, 60));
        Path f = save(grey, "png", "b.png");
        assertEquals(200, DigitImagePreprocessor.luminance(ImageIO.read(f.toFile()))[0], 1.0,
                "grey level 200 stays 200");
        assertArrayEquals(rgb, DigitImagePreprocessor.fromFile(f));
    }

    @Test
    void photoLikeGreyPaperWithNoiseGivesNearlyTheCleanImage() throws IOException {
        byte[] clean = DigitImagePreprocessor.fromFile(
                save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png", "clean.png"));
        BufferedImage photo = TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, new Color(190, 185, 175), new Color(50, 50, 70));
        java.util.Random noise = new java.util.Random(1);   // test data only
        for (int y = 0; y < photo.getHeight(); y++)
            for (int x = 0; x < photo.getWidth(); x++) {
                int p = photo.getRGB(x, y), d = noise.nextInt(13) - 6;
                int r = Math.max(0, Math.min(255, ((p >> 16) & 0xFF) + d));
                int g = Math.max(0, Math.min(255, ((p >> 8) & 0xFF) + d));
                int b = Math.max(0, Math.min(255, (p & 0xFF) + d));
                photo.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        byte[] fromJpeg = DigitImagePreprocessor.fromFile(save(photo, "jpg", "photo.jpg"));
        assertArrayEquals(inkBox(clean), inkBox(fromJpeg), "same 20-pixel box in the same place");
        double diff = 0;
        for (int i = 0; i < clean.length; i++) diff += Math.abs((clean[i] & 0xFF) - (fromJpeg[i] & 0xFF));
        // Paper noise and JPEG ringing move edge pixels a little; on average far under 10 of 255 grey levels.
        assertTrue(diff / clean.length < 10, "mean absolute difference " + diff / clean.length);
    }

    @Test
    void wideShapeKeepsItsAspectRatio() {
        float[] grey = new float[60 * 200];   // (60, 200) white with a 20x100 black bar
        Arrays.fill(grey, 255f);
        for (int y = 20; y < 40; y++) for (int x = 50; x < 150; x++) grey[y * 200 + x] = 0f;
        byte[] img = DigitImagePreprocessor.fromLuminance(grey, 60, 200, "bar");
        int[] box = inkBox(img);
        assertEquals(20, box[3] - box[2] + 1);
        assertEquals(4, box[1] - box[0] + 1);
        assertEquals(new double[]{14, 14}[0], centreOfMass(img)[0], 0.5);
    }

    @Test
    void tinyDigitIsScaledUp() {
        float[] grey = new float[12 * 10];   // (12, 10): a 1-pixel-wide vertical stroke 8 tall
        Arrays.fill(grey, 255f);
        for (int y = 2; y < 10; y++) grey[y * 10 + 4] = 0f;
        byte[] img = DigitImagePreprocessor.fromLuminance(grey, 12, 10, "one");
        int[] box = inkBox(img);
        assertEquals(20, box[1] - box[0] + 1);
        assertTrue(box[3] - box[2] + 1 <= 3, "a thin stroke stays thin");
    }

    @Test
    void areaAveragingPreservesTheMeanOfTheSource() {
        float[] src = new float[7 * 9];
        for (int i = 0; i < src.length; i++) src[i] = (i * 37 % 11) / 10f;
        double mean = 0;
        for (float v : src) mean += v;
        mean /= src.length;
        double[] out = DigitImagePreprocessor.areaResample(src, 9, 0, 0, 7, 9, 3, 4);
        double outMean = Arrays.stream(out).average().orElseThrow();
        assertEquals(mean, outMean, 1e-12, "each output pixel is the mean of an equal share of the source");
    }

    /**
     * An Adobe CMYK JPEG (as print workflows and some scanners write): the ink must come out dark. The JDK's own
     * reader decodes these without the Adobe inversion and washes the ink out to a grey near 100; the TwelveMonkeys
     * reader (pom.xml) converts them properly.
     */
    @Test
    void adobeCmykJpegDecodesWithItsTrueColours() throws IOException {
        // Dark blue (20, 30, 120) on cream (250, 245, 230), written as 4 inverted CMYK channels plus an APP14 "Adobe"
        // marker with transform 0 (CMYK), which is how Adobe software stores CMYK JPEGs.
        BufferedImage rgb = TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, new Color(250, 245, 230), new Color(20, 30, 120));
        java.awt.image.WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, rgb.getWidth(), rgb.getHeight(), 4, null);
        for (int y = 0; y < rgb.getHeight(); y++)
            for (int x = 0; x < rgb.getWidth(); x++) {
                int p = rgb.getRGB(x, y), r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, b = p & 0xFF;
                int k = 255 - Math.max(r, Math.max(g, b));
                int c = (255 - r - k) * 255 / (255 - k), m = (255 - g - k) * 255 / (255 - k), ye = (255 - b - k) * 255 / (255 - k);
                cmyk.setPixel(x, y, new int[]{255 - c, 255 - m, 255 - ye, 255 - k});
            }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (javax.imageio.stream.ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(new javax.imageio.IIOImage(cmyk, null, null));
        } finally {
            writer.dispose();
        }
        byte[] plain = out.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] jpg = new byte[plain.length + adobe.length];
        System.arraycopy(plain, 0, jpg, 0, 2);                     // SOI
        System.arraycopy(adobe, 0, jpg, 2, adobe.length);
        System.arraycopy(plain, 2, jpg, 2 + adobe.length, plain.length - 2);
        Path f = dir.resolve("cmyk.jpg");
        Files.write(f, jpg);

        BufferedImage decoded = DigitImagePreprocessor.decode(f);
        float[] grey = DigitImagePreprocessor.luminance(decoded);
        float ink = grey[60 * 300 + 150], paper = grey[5 * 300 + 5];   // on the bar of the 7, and a corner
        // Luma of (20, 30, 120) is 37 and of the cream 245; JPEG and CMYK rounding move them a few levels.
        assertEquals(37, ink, 12, "ink luma");
        assertEquals(245, paper, 6, "paper luma");
        byte[] img = DigitImagePreprocessor.fromFile(f);
        assertEquals(20, inkBox(img)[1] - inkBox(img)[0] + 1);
    }

    @Test
    void sameFileGivesTheSameBytesEveryTime() throws IOException {
        Path f = save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "jpg", "seven.jpg");
        assertArrayEquals(DigitImagePreprocessor.fromFile(f), DigitImagePreprocessor.fromFile(f));
    }

    // ------------------------------------------------------------------------------------------- refusals

    @Test
    void allWhiteImageIsRefusedAsBlank() throws IOException {
        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 50, 40);
        g.dispose();
        Path f = save(img, "png", "blank.png");
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        assertEquals(f + " shows no digit: no pixel differs from its light background by 32 grey levels or more",
                e.getMessage());
    }

    @Test
    void decompressionBombIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
        Path f = dir.resolve("bomb.png");
        Files.write(f, TestImages.pngHeader(100_000, 100_000));
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        // Decoding would need 10^10 pixels; the refusal names the declared size, so it came from the header.
        assertEquals(f + " declares 100000x100000 pixels (10000.0 megapixels); refusing to decode images over 50"
                + " megapixels or 20000 pixels a side", e.getMessage());
        Path g = dir.resolve("tall.png");
        Files.write(g, TestImages.pngHeader(10, 30_000));
        assertTrue(assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(g)).getMessage()
                .contains("declares 10x30000 pixels"));
    }

    @Test
    void jpegBombIsRefusedToo() throws IOException {
        // A real JPEG whose frame header (SOF0) is edited to claim 60000x60000.
        byte[] jpg;
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "jpg", out);
            jpg = out.toByteArray();
        }
        int sof = -1;
        for (int i = 2; i + 1 < jpg.length; i++) if ((jpg[i] & 0xFF) == 0xFF && (jpg[i + 1] & 0xFF) == 0xC0) { sof = i; break; }
        assertTrue(sof > 0, "baseline JPEG frame header");
        // FFC0, length (2), precision (1), height (2), width (2)
        ByteBuffer.wrap(jpg).putShort(sof + 5, (short) 60000).putShort(sof + 7, (short) 60000);
        Path f = dir.resolve("bomb.jpg");
        Files.write(f, jpg);
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        assertTrue(e.getMessage().startsWith(f + " declares 60000x60000 pixels"), e.getMessage());
    }

    @Test
    void textFileNamedPngIsRefused() throws IOException {
        Path f = dir.resolve("digit.png");
        Files.writeString(f, "this is not a picture\n");
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        assertEquals(f + " is not an image lenet5 can read (PNG or JPEG expected)", e.getMessage());
    }

    @Test
    void truncatedPngIsRefusedAsUndecodable() throws IOException {
        Path good = save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png", "good.png");
        byte[] bytes = Files.readAllBytes(good);
        Path f = dir.resolve("cut.png");
        Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        assertTrue(e.getMessage().startsWith(f + " could not be decoded as PNG: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void missingFileAndDirectoryAreNamed() {
        Path f = dir.resolve("nothing.png");
        assertEquals("image " + f + " does not exist",
                assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f)).getMessage());
        assertEquals(dir + " is not a regular file, not an image",
                assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(dir)).getMessage());
    }

    @Test
    void truncatedJpegIsRefusedInsteadOfDecodedWithGreyFill() throws IOException {
        Path good = save(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "jpg", "good.jpg");
        byte[] bytes = Files.readAllBytes(good);
        Path f = dir.resolve("cut.jpg");
        Files.write(f, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        UserException e = assertThrows(UserException.class, () -> DigitImagePreprocessor.fromFile(f));
        assertTrue(e.getMessage().startsWith(f + " is damaged (JPEG decoder: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("); refusing to guess the missing pixels"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** A JPEG with an APP1 Exif block holding only IFD0's orientation tag, inserted right after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4)
                .order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        tiff.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M')
                .putShort((short) 42).putInt(8)                       // header, IFD0 at offset 8
                .putShort((short) 1)                                  // one entry
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
                .putInt(0);                                           // no next IFD
        byte[] exif = ByteBuffer.allocate(6 + tiff.capacity()).put(new byte[]{'E', 'x', 'i', 'f', 0, 0}).put(tiff.array()).array();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + exif.length);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif)
                .put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    @Test
    void exifOrientationTurnsAPhonesSidewaysPictureUpright() throws IOException {
        BufferedImage upright = TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK);
        int w = upright.getWidth(), h = upright.getHeight();
        // What a phone stores for a portrait shot: the pixels turned 90 degrees anticlockwise, orientation 6.
        BufferedImage stored = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) stored.setRGB(y, w - 1 - x, upright.getRGB(x, y));
        byte[] expected = DigitImagePreprocessor.fromFile(save(upright, "png", "upright.png"));
        byte[] plainJpeg = Files.readAllBytes(save(stored, "jpg", "stored.jpg"));
        for (boolean little : new boolean[]{true, false}) {
            Path f = dir.resolve("phone-" + little + ".jpg");
            Files.write(f, withExifOrientation(plainJpeg, 6, little));
            assertEquals(6, ExifOrientation.of(f));
            byte[] got = DigitImagePreprocessor.fromFile(f);
            // JPEG compression changes a few grey levels; the digit must be the same shape in the same place.
            int differing = 0;
            for (int i = 0; i < got.length; i++) if (Math.abs((got[i] & 0xFF) - (expected[i] & 0xFF)) > 40) differing++;
            assertTrue(differing < 20, differing + " of 784 pixels differ by more than 40 grey levels");
        }
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.of(dir.resolve("stored.jpg")), "no EXIF: as stored");
    }

    @Test
    void everyExifOrientationMapsTheCornersWhereTheStandardSays() {
        // A 2x3 stored image whose values are their indices; the upright images per EXIF's definitions.
        float[] stored = {0, 1, 2, 3, 4, 5};   // (2, 3)
        float[][] expected = {
                null, {0, 1, 2, 3, 4, 5}, {2, 1, 0, 5, 4, 3}, {5, 4, 3, 2, 1, 0}, {3, 4, 5, 0, 1, 2},
                {0, 3, 1, 4, 2, 5}, {3, 0, 4, 1, 5, 2}, {5, 2, 4, 1, 3, 0}, {2, 5, 1, 4, 0, 3}};
        for (int o = 1; o <= 8; o++) {
            ExifOrientation.Oriented r = ExifOrientation.apply(stored.clone(), 2, 3, o);
            assertArrayEquals(expected[o], r.grey(), "orientation " + o);
            assertEquals(o >= 5 ? 3 : 2, r.height(), "orientation " + o);
        }
    }

    @Test
    void brokenExifBlocksMeanAsStoredNeverAnError() {
        java.util.Random rnd = new java.util.Random(5);
        int cases = 0;
        for (int i = 0; i < 3000; i++, cases++) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            if (b.length > 2 && rnd.nextBoolean()) { b[0] = (byte) 0xFF; b[1] = (byte) 0xD8; }
            if (b.length > 12 && rnd.nextBoolean()) { b[2] = (byte) 0xFF; b[3] = (byte) 0xE1; b[6] = 'E'; b[7] = 'x'; b[8] = 'i'; b[9] = 'f'; b[10] = 0; b[11] = 0; }
            int o = ExifOrientation.parse(b);
            assertTrue(o >= 1 && o <= 8);
        }
        System.out.println("EXIF parser fuzz: " + cases + " cases, none threw");
    }
}
