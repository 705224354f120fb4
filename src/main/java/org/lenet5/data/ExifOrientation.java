package org.lenet5.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation of a JPEG (tag 0x0112 in IFD0 of its APP1 "Exif" segment), which cameras and phones use
 * instead of rotating the pixels, and the transform that puts the pixels upright. Parsing is bounds-checked
 * throughout: a missing or broken EXIF block means "as stored" (1), never an error, since the pixels themselves
 * are still a valid image.
 */
final class ExifOrientation {

    /** As stored. The values 1..8 are EXIF's. */
    static final int NORMAL = 1;
    private static final int MAX_HEADER_BYTES = 256 * 1024;

    private ExifOrientation() {}

    /** Pixels (h, w) after orientation: new dimensions and values. */
    record Oriented(float[] grey, int height, int width) {}

    static int of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in.readNBytes(MAX_HEADER_BYTES));
        } catch (IOException e) {
            return NORMAL;
        }
    }

    /** The orientation from the first bytes of a file; NORMAL unless a JPEG with a valid EXIF orientation. */
    static int parse(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) return NORMAL;   // not a JPEG
        int p = 2;
        while (p + 4 <= b.length && (b[p] & 0xFF) == 0xFF) {
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) return NORMAL;      // image data starts: no EXIF before it
            int length = u16(b, p + 2, false);                       // includes its own two bytes
            if (length < 2 || p + 2 + length > b.length) return NORMAL;
            int start = p + 4;
            if (marker == 0xE1 && length >= 8 && b[start] == 'E' && b[start + 1] == 'x' && b[start + 2] == 'i'
                    && b[start + 3] == 'f' && b[start + 4] == 0 && b[start + 5] == 0)
                return fromTiff(b, start + 6, p + 2 + length);
            p += 2 + length;
        }
        return NORMAL;
    }

    /** Tag 0x0112 of IFD0 in the TIFF block b[tiff, end). */
    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) return NORMAL;
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') little = true;
        else if (b[tiff] == 'M' && b[tiff + 1] == 'M') little = false;
        else return NORMAL;
        if (u16(b, tiff + 2, little) != 42) return NORMAL;
        long ifd = u32(b, tiff + 4, little);
        if (ifd < 8 || tiff + ifd + 2 > end) return NORMAL;
        int at = (int) (tiff + ifd);
        int entries = u16(b, at, little);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + 12 * i;
            if (e + 12 > end) return NORMAL;
            if (u16(b, e, little) == 0x0112 && u16(b, e + 2, little) == 3 /* SHORT */) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : NORMAL;
            }
        }
        return NORMAL;
    }

    /** The upright pixels of a stored (h, w) image with the given orientation. */
    static Oriented apply(float[] grey, int h, int w, int orientation) {
        if (orientation == NORMAL) return new Oriented(grey, h, w);
        boolean swap = orientation >= 5;     // 5..8 turn by 90 degrees: width and height trade places
        int nh = swap ? w : h, nw = swap ? h : w;
        float[] out = new float[grey.length];   // (nh, nw)
        for (int r = 0; r < nh; r++)
            for (int c = 0; c < nw; c++) {
                // The stored pixel (sr, sc) that shows at (r, c) once upright.
                int sr, sc;
                switch (orientation) {
                    case 2 -> { sr = r; sc = w - 1 - c; }             // mirrored left-right
                    case 3 -> { sr = h - 1 - r; sc = w - 1 - c; }     // upside down
                    case 4 -> { sr = h - 1 - r; sc = c; }             // mirrored top-bottom
                    case 5 -> { sr = c; sc = r; }                     // transposed
                    case 6 -> { sr = h - 1 - c; sc = r; }             // needs 90 degrees clockwise
                    case 7 -> { sr = h - 1 - c; sc = w - 1 - r; }     // transversed
                    case 8 -> { sr = c; sc = w - 1 - r; }             // needs 90 degrees anticlockwise
                    default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
                }
                out[r * nw + c] = grey[sr * w + sc];
            }
        return new Oriented(out, nh, nw);
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 : (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i, boolean little) {
        return little
                ? (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                : (b[i] & 0xFFL) << 24 | (b[i + 1] & 0xFFL) << 16 | (b[i + 2] & 0xFFL) << 8 | (b[i + 3] & 0xFFL);
    }
}
