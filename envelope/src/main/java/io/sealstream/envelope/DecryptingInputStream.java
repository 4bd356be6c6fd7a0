package io.sealstream.envelope;

import io.sealstream.envelope.internal.SegmentBuffers;
import io.sealstream.envelope.internal.SegmentCipher;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an envelope's segments and releases each one's plaintext only after its GCM tag verified. A segment that
 * does not authenticate, a missing final segment (truncation) or bytes after it (extension) end the stream with an
 * {@link EnvelopeAuthenticationException}; the failure is sticky. Memory: one ciphertext and one plaintext segment.
 *
 * <p>A consumer that must not act on any plaintext before the whole object authenticated (for example a file that
 * should appear only when complete) writes to a temporary place and commits after reaching end of stream.
 */
public final class DecryptingInputStream extends InputStream {

    private static final int INITIAL_BUFFER = 4096 + SegmentCipher.TAG_BYTES + 1;

    private final InputStream source;
    private final SegmentCipher cipher;
    private final EnvelopeHeader header;
    private final int fullSegment;
    private byte[] sealed;
    private int sealedFill;
    private byte[] plain = new byte[0];
    private int plainPos;
    private int plainLen;
    private long segmentIndex;
    private long plaintextBytes;
    private boolean finished;
    private EnvelopeException failure;
    private boolean closed;

    DecryptingInputStream(final InputStream source, final EnvelopeHeader header, final SegmentCipher cipher) {
        this.source = source;
        this.header = header;
        this.cipher = cipher;
        this.fullSegment = header.segmentSize() + SegmentCipher.TAG_BYTES;
        this.sealed = new byte[Math.min(INITIAL_BUFFER, fullSegment + 1)];
    }

    /** The object's header (authenticated: the key commitment matched before this stream was handed out). */
    public EnvelopeHeader header() {
        return header;
    }

    /** Plaintext bytes released so far. */
    public long plaintextBytes() {
        return plaintextBytes;
    }

    @Override
    public int read() throws IOException {
        final byte[] one = new byte[1];
        final int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
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
            if (finished) {
                return -1;
            }
            if (len >= header.segmentSize()) {
                // The caller's buffer holds a whole segment: decrypt straight into it, saving a copy. It receives
                // plaintext only once the tag verified (the range is cleared on failure).
                final int n = nextSegment(b, off);
                if (n > 0) {
                    return n;
                }
                continue; // an empty last segment
            }
            plainLen = nextSegment(null, 0);
            plainPos = 0;
        }
        final int n = Math.min(len, plainLen - plainPos);
        System.arraycopy(plain, plainPos, b, off, n);
        plainPos += n;
        return n;
    }

    @Override
    public int available() {
        return plainLen - plainPos;
    }

    /**
     * Reads one ciphertext segment plus one byte of look-ahead (a segment is the last one exactly when the source
     * ends right after it), authenticates and decrypts it into {@code out} at {@code outOff}, or into the internal
     * buffer when {@code out} is null. Returns the plaintext length.
     */
    private int nextSegment(final byte[] out, final int outOff) throws IOException {
        final boolean eof = fill();
        final boolean last;
        final int segmentLength;
        if (!eof) {
            segmentLength = fullSegment;
            last = false;
        } else {
            segmentLength = sealedFill;
            last = true;
            if (segmentLength < SegmentCipher.TAG_BYTES) {
                throw fail(segmentLength == 0 && segmentIndex > 0
                        ? "ciphertext is truncated: the final segment is missing"
                        : "ciphertext is truncated inside segment " + segmentIndex);
            }
        }
        final byte[] target;
        if (out != null) {
            target = out;
        } else {
            if (plain.length < segmentLength - SegmentCipher.TAG_BYTES) {
                Arrays.fill(plain, (byte) 0);
                plain = segmentLength == fullSegment ? SegmentBuffers.take(header.segmentSize())
                        : new byte[segmentLength - SegmentCipher.TAG_BYTES];
            }
            target = plain;
        }
        final int n = cipher.decrypt(segmentIndex, last, sealed, 0, segmentLength, target, out != null ? outOff : 0);
        if (n < 0) {
            throw fail(EnvelopeAuthenticationException.segmentFailed(segmentIndex));
        }
        plaintextBytes += n;
        segmentIndex++;
        if (last) {
            finished = true;
            sealedFill = 0;
        } else {
            // Keep the look-ahead byte as the first byte of the next segment.
            sealed[0] = sealed[fullSegment];
            sealedFill = 1;
        }
        return n;
    }

    /** Fills the buffer up to a full segment plus one byte; returns true when the source ended before that. */
    private boolean fill() throws IOException {
        final int want = fullSegment + 1;
        while (sealedFill < want) {
            if (sealedFill == sealed.length) {
                // An object that outgrows the small first buffer is rarely small: go straight to a full segment
                // rather than copying through every power of two.
                final byte[] grown = SegmentBuffers.take(want);
                System.arraycopy(sealed, 0, grown, 0, sealedFill);
                sealed = grown;
            }
            final int r;
            try {
                r = source.read(sealed, sealedFill, sealed.length - sealedFill);
            } catch (final IOException e) {
                failure = new EnvelopeException("reading the ciphertext failed: " + e.getMessage(), e);
                throw failure;
            }
            if (r < 0) {
                return true;
            }
            sealedFill += r;
        }
        return false;
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
            if (plain.length == header.segmentSize()) {
                SegmentBuffers.give(plain);
            }
            if (sealed.length == fullSegment + 1) {
                SegmentBuffers.give(sealed);
            }
            plain = new byte[0];
            sealed = new byte[0];
            source.close();
        }
    }
}
