package org.lenet5.model;

/**
 * How raw 8-bit images become network input; stored in every checkpoint and reused by evaluate and predict.
 * input[r + pad][c + pad] = pixel[r][c] * scale, the border is zero.
 *
 * @param imageRows rows of the stored images (28 for MNIST)
 * @param imageCols columns of the stored images
 * @param pad       zero pixels added on every side (2 for classic: 28 -> 32)
 * @param scale     multiplier of the 0..255 pixel value (1/255: pixels in [0, 1])
 */
public record Preprocessing(int imageRows, int imageCols, int pad, float scale) {

    public static final float UNIT_SCALE = 1f / 255f;

    public static Preprocessing forArchitecture(Architecture arch, int rows, int cols) {
        return new Preprocessing(rows, cols, arch.padding(), UNIT_SCALE);
    }

    public int inputHeight() { return imageRows + 2 * pad; }
    public int inputWidth() { return imageCols + 2 * pad; }

    /** Writes one image (rows*cols unsigned bytes at pixels[offset]) as (inputHeight, inputWidth) floats. */
    public void apply(byte[] pixels, int offset, float[] out, int outOffset) {
        int h = inputHeight(), w = inputWidth();
        if (pad > 0) java.util.Arrays.fill(out, outOffset, outOffset + h * w, 0f);
        for (int r = 0; r < imageRows; r++) {
            int src = offset + r * imageCols;
            int dst = outOffset + (r + pad) * w + pad;
            for (int c = 0; c < imageCols; c++) out[dst + c] = (pixels[src + c] & 0xFF) * scale;
        }
    }

    /** Double-precision version for the reference backend; same values as apply(). */
    public void apply(byte[] pixels, int offset, double[] out, int outOffset) {
        int h = inputHeight(), w = inputWidth();
        if (pad > 0) java.util.Arrays.fill(out, outOffset, outOffset + h * w, 0.0);
        for (int r = 0; r < imageRows; r++) {
            int src = offset + r * imageCols;
            int dst = outOffset + (r + pad) * w + pad;
            for (int c = 0; c < imageCols; c++) out[dst + c] = (pixels[src + c] & 0xFF) * (double) scale;
        }
    }
}
