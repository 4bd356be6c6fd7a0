package io.sealstream.store;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An S3 GET's body: counts what was read so that closing before the end aborts the connection instead of draining it,
 * and turns a broken transfer into {@link ObjectStoreUnavailableException} (retry later).
 */
final class S3ObjectInputStream extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private final ObjectLocation location;
    private final String where;
    private final long length;
    private long consumed;
    private boolean eof;

    S3ObjectInputStream(final ResponseInputStream<GetObjectResponse> response, final ObjectLocation location,
                        final String where) {
        super(response);
        this.response = response;
        this.location = location;
        this.where = where;
        final Long contentLength = response.response().contentLength();
        this.length = contentLength == null ? -1 : contentLength;
    }

    /** The GET's response (size, metadata, Content-Range). */
    GetObjectResponse response() {
        return response.response();
    }

    @Override
    public int read() throws IOException {
        try {
            final int b = super.read();
            advanced(b < 0 ? -1 : 1);
            return b;
        } catch (final IOException | SdkException e) {
            throw readFailure(e);
        }
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException {
        try {
            final int n = super.read(b, off, len);
            advanced(n);
            return n;
        } catch (final IOException | SdkException e) {
            throw readFailure(e);
        }
    }

    @Override
    public long skip(final long n) throws IOException {
        try {
            final long skipped = super.skip(n);
            advanced(skipped);
            return skipped;
        } catch (final IOException | SdkException e) {
            throw readFailure(e);
        }
    }

    private void advanced(final long n) {
        if (n < 0) {
            eof = true;
        } else {
            consumed += n;
            eof |= consumed == length;
        }
    }

    @Override
    public void close() throws IOException {
        if (!eof) {
            response.abort(); // rather than draining what is left over the wire
        }
        try {
            super.close();
        } catch (final IOException | SdkException e) {
            // the connection is gone either way; nothing the reader can act on
        }
    }

    private IOException readFailure(final Exception e) {
        return new ObjectStoreUnavailableException("S3 get of " + StoreSupport.printable(location.toUri())
                + ": reading failed " + where + ": " + StoreSupport.oneLine(e.toString()), e);
    }
}
