package io.sealstream.bench;

import java.io.OutputStream;

/** Discards what is written and counts it: streaming encryption measured without any storage behind it. */
final class CountingSink extends OutputStream {

    private long count;

    @Override
    public void write(final int b) {
        count++;
    }

    @Override
    public void write(final byte[] b, final int off, final int len) {
        count += len;
    }

    long count() {
        return count;
    }

    void reset() {
        count = 0;
    }
}
