package io.sealstream.app;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Pseudo-random bytes (xorshift64) generated while streaming, so that the demo, the tests and the benchmark can
 * move objects of any size without holding them in memory, and reproduce the same bytes from the same state.
 */
public final class GeneratedContent {

    private GeneratedContent() {
    }

    /**
     * Writes {@code size} bytes from the generator started at {@code state} (non-zero), also feeding them to
     * {@code digest} when it is not null.
     */
    public static void write(final OutputStream out, final long size, final long state, final MessageDigest digest)
            throws IOException {
        final byte[] buf = new byte[1 << 16];
        long x = state;
        for (long written = 0; written < size; written += buf.length) {
            for (int i = 0; i < buf.length; i += 8) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                for (int j = 0; j < 8; j++) {
                    buf[i + j] = (byte) (x >>> (8 * j));
                }
            }
            final int n = (int) Math.min(buf.length, size - written);
            if (digest != null) {
                digest.update(buf, 0, n);
            }
            out.write(buf, 0, n);
        }
    }
}
