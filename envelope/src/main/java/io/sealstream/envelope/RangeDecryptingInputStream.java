package io.sealstream.envelope;

import io.sealstream.envelope.internal.SegmentBuffers;
import io.sealstream.envelope.internal.SegmentCipher;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decrypts segments {@code first..last} of an object read from exactly their stored span, and releases the plaintext
 * range asked for. Each segment's tag is checked before any of its bytes leave; the nonce carries the segment's index
 * and whether it is the object's last, both known from the layout, so a moved or cut segment fails. Failures are
 * sticky. Memory: one ciphertext and one plaintext segment.
 */
final class RangeDecryptingInputStream extends InputStream {

    private final InputStream source;
    private final SegmentCipher cipher;
    private final SegmentLayout layout;
    private final long lastSegment;
    private long segment;
    private long skip;
    private long remaining;
    private byte[] sealed;
    private byte[] plain;
    private int plainPos;
    private int plainLen;
    private EnvelopeException failure;
    private boolean verifiedAll;
    private boolean closed;

    RangeDecryptingInputStream(final InputStream source, final SegmentCipher cipher, final SegmentLayout layout,
                               final long first, final long last, final long skip, final long length) {
        this.source = source;
        this.cipher = cipher;
        this.layout = layout;
        this.segment = first;
        this.lastSegment = last;
        this.skip = skip;
        this.remaining = length;
        this.sealed = SegmentBuffers.take(layout.segmentSize() + SegmentCipher.TAG_BYTES);
        this.plain = SegmentBuffers.take(layout.segmentSize());
    }

    @Override
    public int read() throws IOException {
        final byte[] one = new byte[1];
        final int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("decrypting stream is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        while (plainPos == plainLen) {
            if (remaining == 0 && verifiedAll) {
                return -1;
            }
            if (segment > lastSegment) {
                verifiedAll = true;
                continue;
            }
            decryptNext();
        }
        final int n = Math.min(len, plainLen - plainPos);
        System.arraycopy(plain, plainPos, b, off, n);
        plainPos += n;
        return n;
    }

    private void decryptNext() throws IOException {
        final int sealedLength = layout.sealedLength(segment);
        final int got;
        try {
            got = source.readNBytes(sealed, 0, sealedLength);
        } catch (final IOException e) {
            failure = new EnvelopeException("reading the ciphertext failed: " + e.getMessage(), e);
            throw failure;
        }
        if (got != sealedLength) {
            throw fail("ciphertext is truncated inside segment " + segment);
        }
        final boolean last = segment == layout.segments() - 1;
        final int n = cipher.decrypt(segment, last, sealed, 0, sealedLength, plain, 0);
        if (n < 0) {
            throw fail(EnvelopeAuthenticationException.segmentFailed(segment));
        }
        segment++;
        final int from = (int) Math.min(skip, n);
        skip -= from;
        final int take = (int) Math.min(remaining, n - from);
        remaining -= take;
        plainPos = from;
        plainLen = from + take;
        if (segment > lastSegment) {
            verifiedAll = true;
        }
    }

    private EnvelopeAuthenticationException fail(final String message) {
        Arrays.fill(plain, (byte) 0);
        plainPos = 0;
        plainLen = 0;
        final EnvelopeAuthenticationException e = new EnvelopeAuthenticationException(message);
        failure = e;
        return e;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            Arrays.fill(plain, (byte) 0);
            SegmentBuffers.give(plain);
            SegmentBuffers.give(sealed);
            plain = new byte[0];
            sealed = new byte[0];
            source.close();
        }
    }
}
