package org.lenet5.data;

import java.io.IOException;
import java.io.InputStream;

/** Recognises gzip by its leading bytes 1f 8b (RFC 1952), whatever the file is called. */
final class GzipSniffer {

    private GzipSniffer() {}

    /** Peeks at the first two bytes of a stream that supports mark/reset, leaving it where it was. */
    static boolean startsWithGzipMagic(InputStream in) throws IOException {
        if (!in.markSupported()) throw new IllegalArgumentException("stream must support mark/reset");
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }
}
