package io.sealstream.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes writes through, but its {@code close()} only flushes: for handing a stream one does not own to a writer
 * that closes what it is given (the envelope's encrypting stream closes its sink). Whoever owns the stream (an
 * object store, a command's output target) decides when it ends.
 */
public final class NonClosingOutputStream extends FilterOutputStream {

    public NonClosingOutputStream(final OutputStream out) {
        super(out);
    }

    @Override
    public void write(final byte[] b, final int off, final int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
