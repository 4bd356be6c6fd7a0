package io.sealstream.bench;

import java.io.InputStream;

/**
 * A repeatable stream of {@code length} pseudo-random bytes that never holds more than its 1 MiB pattern: the
 * pattern is copied over and over with {@code arraycopy}, so generating costs far less than encrypting. The period
 * is deliberately not a multiple of the 64 KiB segment size, so no two segments carry the same plaintext.
 */
final class RepeatingPatternInputStream extends InputStream {

    private static final int PERIOD = 1024 * 1024 + 7;
    private static final byte[] PATTERN = BenchFixtures.plaintext(PERIOD);

    private final long length;
    private long position;

    RepeatingPatternInputStream(final long length) {
        this.length = length;
    }

    @Override
    public int read() {
        if (position == length) {
            return -1;
        }
        return PATTERN[(int) (position++ % PERIOD)] & 0xff;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position == length) {
            return -1;
        }
        final int n = (int) Math.min(len, length - position);
        int done = 0;
        while (done < n) {
            final int at = (int) (position % PERIOD);
            final int chunk = Math.min(n - done, PERIOD - at);
            System.arraycopy(PATTERN, at, b, off + done, chunk);
            done += chunk;
            position += chunk;
        }
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }
}
