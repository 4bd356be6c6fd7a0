package io.sealstream.bench.e2e;

import java.io.InputStream;

/** {@code length} bytes of a cheap non-constant pattern, generated as read (no memory held for large objects). */
final class PatternSource extends InputStream {

    private final long length;
    private long position;

    PatternSource(final long length) {
        this.length = length;
    }

    @Override
    public int read() {
        if (position >= length) {
            return -1;
        }
        return (int) (position * 31 + (position++ >>> 12)) & 0xff;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) {
        if (position >= length) {
            return -1;
        }
        final int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            final long p = position + i;
            b[off + i] = (byte) (p * 31 + (p >>> 12));
        }
        position += n;
        return n;
    }
}
