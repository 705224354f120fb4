package org.lenet5.data;

import org.lenet5.util.UserException;

import javax.imageio.ImageIO;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Turns a picture of one digit (PNG, JPEG, any size) into a 28x28 image made the way MNIST digits were made
 * (LeCun et al.: "normalized to fit in a 20x20 pixel box while preserving their aspect ratio ... anti-aliasing ...
 * centered in a 28x28 image by computing the center of mass of the pixels"):
 * <ol>
 *   <li>greyscale (Rec. 601 luma), transparent pixels composited on white;</li>
 *   <li>white ink on black: inverted when the border pixels (their median) are light;</li>
 *   <li>the background level (the border median) subtracted and the ink stretched to the full range, faint noise
 *       (under 10% of it) dropped, so photos of paper behave like scans;</li>
 *   <li>cropped to the bounding box of the pixels with at least half the ink range;</li>
 *   <li>the longer side scaled to 20 pixels, aspect ratio kept, by area averaging (each output pixel is the mean
 *       of the source area it covers), then stretched so the darkest ink is 255 as in MNIST;</li>
 *   <li>placed in 28x28 so its centre of mass falls on the pixel nearest (14, 14), the centre MNIST's digits have
 *       (mean 13.996, 14.007 over the 60,000 training images, spread 0.29 = whole-pixel shifts).</li>
 * </ol>
 * The result is (28, 28) unsigned bytes, ink 255 on 0, like the IDX files; the checkpoint's Preprocessing then
 * applies (scale, and padding for classic). Everything is plain arithmetic in a fixed order: the same file always
 * gives the same bytes.
 *
 * <p>Files are refused with one line naming them: not an image, declared larger than {@link #MAX_PIXELS} or
 * {@link #MAX_SIDE} a side (read from the header, before any pixel is decoded: a decompression bomb never gets
 * to allocate), undecodable, or blank.
 */
public final class DigitImagePreprocessor {

    public static final int SIZE = 28;
    public static final int BOX = 20;
    public static final double CENTRE = 14.0;
    public static final long MAX_PIXELS = 50_000_000L;
    public static final int MAX_SIDE = 20_000;
    /** Fewer grey levels than this between the background and the strongest ink: nothing is drawn. */
    static final double MIN_CONTRAST = 32;
    /** Fraction of the ink range that counts as a stroke for the bounding box (MNIST cropped binary images). */
    static final double STROKE = 0.5;
    /** Fraction of the ink range under which a pixel is background noise (paper texture, JPEG ringing). */
    static final double NOISE = 0.1;

    /** Decoder warnings that mean pixels are missing or made up (libjpeg's and TwelveMonkeys' wordings). */
    private static final java.util.regex.Pattern DAMAGE = java.util.regex.Pattern.compile(
            "(?i)truncat|corrupt|premature end|missing eoi|damaged|invalid");

    private DigitImagePreprocessor() {}

    /** Reads and converts one image file; (28, 28) bytes. */
    public static byte[] fromFile(Path file) {
        BufferedImage image = decode(file);
        // Phones store portrait photos sideways with an EXIF orientation; turn the pixels upright first.
        ExifOrientation.Oriented up = ExifOrientation.apply(luminance(image), image.getHeight(), image.getWidth(),
                ExifOrientation.of(file));
        return fromLuminance(up.grey(), up.height(), up.width(), file.toString());
    }

    /** Converts an already decoded image; source names it in errors. */
    public static byte[] fromImage(BufferedImage image, String source) {
        return fromLuminance(luminance(image), image.getHeight(), image.getWidth(), source);
    }

    // ---------------------------------------------------------------------------------------------- decoding

    /** Decodes the first image of the file after checking its declared size. */
    static BufferedImage decode(Path file) {
        if (!Files.exists(file)) throw new UserException("image " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new UserException(file + " is not a regular file, not an image");
        // ImageIO reports an unreadable file as "Can't create cache file!": say what is wrong instead.
        if (!Files.isReadable(file)) throw new UserException("cannot read image " + file + ": permission denied");
        String format = "image";
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new UserException("cannot read image " + file);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext())
                throw new UserException(file + " is not an image lenet5 can read (PNG or JPEG expected)");
            ImageReader reader = readers.next();
            try {
                format = reader.getFormatName().toUpperCase();
                reader.setInput(in, true, true);
                // Only the header is read here: no pixel has been decoded or allocated yet.
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1) throw new UserException(file + " declares an empty " + w + "x" + h + " image");
                if (w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS)
                    throw new UserException(String.format("%s declares %dx%d pixels (%.1f megapixels); refusing to decode"
                                    + " images over %d megapixels or %d pixels a side", file, w, h, (double) w * h / 1e6,
                            MAX_PIXELS / 1_000_000, MAX_SIDE));
                // A truncated or damaged file is decoded anyway by some readers (JPEG fills the rest with grey) and only
                // reported as a warning: that would be a guess, not the picture, so it is refused. Other warnings
                // (e.g. a CMYK JPEG without an ICC profile) leave the pixels whole and are not errors.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (DAMAGE.matcher(warning).find()) warnings.add(warning);
                });
                BufferedImage image = reader.read(0);
                if (image == null) throw new UserException(file + " holds no image");
                if (!warnings.isEmpty())
                    throw new UserException(file + " is damaged (" + format + " decoder: " + warnings.get(0).replace('\n', ' ')
                            + "); refusing to guess the missing pixels");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (UserException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Broken files make some decoders throw unchecked exceptions (index, illegal argument); all mean the same.
            String m = e.getMessage();
            throw new UserException(file + " could not be decoded as " + format + ": "
                    + (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ')));
        }
    }

    /** (h, w) grey levels 0 (black) .. 255 (white), alpha composited on white. */
    static float[] luminance(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        float[] grey = new float[w * h];   // (h, w)
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int type = raster.getTransferType();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)) {
            // Grey samples as stored: getRGB would treat them as linear light and brighten them into sRGB.
            double gMax = (1 << cm.getComponentSize(0)) - 1;
            boolean alpha = cm.hasAlpha();
            double aMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
            boolean pre = cm.isAlphaPremultiplied();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double g = raster.getSample(x, y, 0) * 255.0 / gMax;
                    if (alpha) {
                        double a = raster.getSample(x, y, 1) / aMax;
                        g = pre ? g + (1 - a) * 255.0 : a * g + (1 - a) * 255.0;
                    }
                    grey[y * w + x] = (float) Math.min(255.0, g);
                }
            return grey;
        }
        int[] row = new int[w];   // (w) ARGB, sRGB, not premultiplied
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                double a = (p >>> 24) / 255.0;
                double luma = 0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF);
                grey[y * w + x] = (float) (a * luma + (1 - a) * 255.0);
            }
        }
        return grey;
    }

    // ---------------------------------------------------------------------------------------------- MNIST-style

    /**
     * The MNIST-style (28, 28) bytes from grey levels (h, w), 0 black .. 255 white. The array is overwritten.
     */
    static byte[] fromLuminance(float[] grey, int h, int w, String source) {
        // 1. Background from the border; ink is "distance from the background towards the other end".
        float background = borderMedian(grey, h, w);
        boolean lightBackground = background > 127.5f;
        float[] ink = grey;   // (h, w), reused in place
        float bgInk = lightBackground ? 255f - background : background;
        float maxInk = 0;
        for (int i = 0; i < ink.length; i++) {
            if (lightBackground) ink[i] = 255f - ink[i];
            maxInk = Math.max(maxInk, ink[i]);
        }
        double contrast = maxInk - bgInk;
        if (contrast < MIN_CONTRAST)
            throw new UserException(String.format("%s shows no digit: no pixel differs from its %s background by %d grey"
                    + " levels or more", source, lightBackground ? "light" : "dark", (int) MIN_CONTRAST));

        // 2. Ink in [0, 1]: background 0, strongest ink 1, noise dropped; bounding box of the strokes.
        int top = h, bottom = -1, left = w, right = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double v = (ink[i] - bgInk) / contrast;
                v = v < NOISE ? 0 : Math.min(v, 1.0);
                ink[i] = (float) v;
                if (v >= STROKE) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        int ch = bottom - top + 1, cw = right - left + 1;   // the crop, at least the strongest pixel

        // 3. Longer side to 20 pixels by area averaging.
        int longer = Math.max(ch, cw);
        int nh = Math.max(1, (int) Math.round(ch * (double) BOX / longer));
        int nw = Math.max(1, (int) Math.round(cw * (double) BOX / longer));
        double[] box = areaResample(ink, w, top, left, ch, cw, nh, nw);   // (nh, nw)
        double peak = 0;
        for (double v : box) peak = Math.max(peak, v);
        if (peak <= 0) throw new UserException(source + " shows no digit after scaling it to 20 pixels");

        // 4. Darkest ink to 255, then centre of mass onto (14, 14) by a whole-pixel shift, kept inside the frame.
        double mass = 0, my = 0, mx = 0;
        for (int y = 0; y < nh; y++)
            for (int x = 0; x < nw; x++) {
                double v = box[y * nw + x] / peak;
                box[y * nw + x] = v;
                mass += v;
                my += v * y;
                mx += v * x;
            }
        int oy = clamp((int) Math.round(CENTRE - my / mass), 0, SIZE - nh);
        int ox = clamp((int) Math.round(CENTRE - mx / mass), 0, SIZE - nw);
        byte[] out = new byte[SIZE * SIZE];   // (28, 28)
        for (int y = 0; y < nh; y++)
            for (int x = 0; x < nw; x++)
                out[(oy + y) * SIZE + ox + x] = (byte) clamp((int) Math.round(box[y * nw + x] * 255.0), 0, 255);
        return out;
    }

    /** Median of the outermost ring of pixels (all pixels when the image is thinner than 3). */
    static float borderMedian(float[] grey, int h, int w) {
        float[] ring;
        if (h < 3 || w < 3) {
            ring = grey.clone();
        } else {
            ring = new float[2 * w + 2 * (h - 2)];
            int n = 0;
            for (int x = 0; x < w; x++) {
                ring[n++] = grey[x];
                ring[n++] = grey[(h - 1) * w + x];
            }
            for (int y = 1; y < h - 1; y++) {
                ring[n++] = grey[y * w];
                ring[n++] = grey[y * w + w - 1];
            }
        }
        Arrays.sort(ring);
        int m = ring.length / 2;
        return ring.length % 2 == 1 ? ring[m] : (ring[m - 1] + ring[m]) / 2f;
    }

    /**
     * Area-averaging resample of the crop src[top .. top+ch, left .. left+cw] (row stride w) to (nh, nw): each output
     * pixel is the mean of the source area it covers, fractional source pixels weighted by their covered part.
     * Separable: rows first into (ch, nw), then columns.
     */
    static double[] areaResample(float[] src, int w, int top, int left, int ch, int cw, int nh, int nw) {
        AxisWeights across = new AxisWeights(cw, nw), down = new AxisWeights(ch, nh);
        double[] rows = new double[ch * nw];   // (ch, nw)
        for (int y = 0; y < ch; y++) {
            int base = (top + y) * w + left;
            for (int j = 0; j < nw; j++) {
                double s = 0;
                for (int k = 0; k < across.weight[j].length; k++) s += across.weight[j][k] * src[base + across.first[j] + k];
                rows[y * nw + j] = s;
            }
        }
        double[] out = new double[nh * nw];    // (nh, nw)
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nw; j++) {
                double s = 0;
                for (int k = 0; k < down.weight[i].length; k++) s += down.weight[i][k] * rows[(down.first[i] + k) * nw + j];
                out[i * nw + j] = s;
            }
        return out;
    }

    /** For n source cells onto m output cells: output j covers [j n/m, (j+1) n/m); weights sum to 1. */
    static final class AxisWeights {
        final int[] first;        // (m) first source cell of each output cell
        final double[][] weight;  // (m, cells covered)

        AxisWeights(int n, int m) {
            first = new int[m];
            weight = new double[m][];
            double step = (double) n / m;
            for (int j = 0; j < m; j++) {
                double a = j * step, b = (j + 1) * step;
                int k0 = (int) Math.floor(a), k1 = Math.min(n, (int) Math.ceil(b));
                first[j] = k0;
                weight[j] = new double[k1 - k0];
                for (int k = k0; k < k1; k++)
                    weight[j][k - k0] = (Math.min(b, k + 1) - Math.max(a, k)) / step;
            }
        }
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }
}
