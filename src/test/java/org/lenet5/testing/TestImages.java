package org.lenet5.testing;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Pictures for the image preprocessing and predict tests, drawn in code. */
public final class TestImages {

    private TestImages() {}

    /** A "7" drawn with an 18-pixel pen, ink colour on background colour, off-centre in a 300x400 picture. */
    public static BufferedImage drawSeven(int type, Color background, Color ink) {
        BufferedImage img = new BufferedImage(300, 400, type);
        Graphics2D g = img.createGraphics();
        g.setComposite(AlphaComposite.Src);   // write colours as given, alpha included
        g.setColor(background);
        g.fillRect(0, 0, 300, 400);
        g.setColor(ink);
        g.setStroke(new BasicStroke(18, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(70, 60, 240, 60);      // the bar
        g.drawLine(240, 60, 130, 330);    // the stem
        g.drawLine(140, 190, 220, 190);   // the cross stroke
        g.dispose();
        return img;
    }

    /** A PNG with a valid signature and IHDR chunk declaring width x height, and no pixel data. */
    public static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);   // 8-bit grey
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        png.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        CRC32 endCrc = new CRC32();
        endCrc.update("IEND".getBytes(StandardCharsets.US_ASCII));
        png.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt((int) endCrc.getValue());
        return png.array();
    }
}
