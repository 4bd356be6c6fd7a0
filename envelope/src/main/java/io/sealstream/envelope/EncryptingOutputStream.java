package io.sealstream.envelope;

import io.sealstream.envelope.internal.SegmentBuffers;
import io.sealstream.envelope.internal.SegmentCipher;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Encrypts everything written to it into one envelope on the underlying stream. Memory: at most one segment of
 * plaintext and one of ciphertext, whatever the object's size; buffers grow only as far as the data written, so a
 * 1 KiB object does not pay for 64 KiB buffers. Only ciphertext ever reaches the underlying stream.
 *
 * <p>{@link #close()} writes the final segment and closes the underlying stream. If a write fails, the stream is
 * poisoned: the final segment is never written, so the partial object can never pass authentication.
 */
public final class EncryptingOutputStream extends OutputStream {

    private static final int INITIAL_BUFFER = 2048;

    private final OutputStream sink;
    private final SegmentCipher cipher;
    private final int segmentSize;
    private final WrappedDataKey wrappedDataKey;
    private final LongConsumer onClose;
    /** SHA-256 over the header and each segment's tag, in order: see FORMAT.md, "Ciphertext digest". */
    private final MessageDigest digest;
    private byte[] ciphertextDigest;
    private byte[] plain;
    private byte[] sealed;
    private int buffered;
    /** How far into {@link #plain} plaintext was ever written, so close() zeroes all of it and no more. */
    private int plainHighWater;
    private long segmentIndex;
    private long plaintextBytes;
    private long ciphertextBytes;
    private boolean closed;
    private boolean failed;

    EncryptingOutputStream(final OutputStream sink, final byte[] header, final SegmentCipher cipher, final int segmentSize,
                           final WrappedDataKey wrappedDataKey, final LongConsumer onClose) throws IOException {
        this.sink = sink;
        this.cipher = cipher;
        this.segmentSize = segmentSize;
        this.wrappedDataKey = wrappedDataKey;
        this.onClose = onClose;
        this.plain = new byte[Math.min(INITIAL_BUFFER, segmentSize)];
        this.digest = sha256();
        digest.update(header);
        try {
            sink.write(header);
        } catch (final IOException e) {
            failed = true;
            throw e;
        }
        ciphertextBytes = header.length;
    }

    @Override
    public void write(final int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(final byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        while (len > 0) {
            if (buffered == segmentSize) {
                // A full buffer is known not to be the last segment only once more data arrives.
                emit(plain, 0, segmentSize, false);
                buffered = 0;
            }
            if (buffered == 0 && len > segmentSize) {
                // Encrypt straight from the caller's array: no copy for large writes.
                emit(b, off, segmentSize, false);
                off += segmentSize;
                len -= segmentSize;
                continue;
            }
            final int n = Math.min(len, segmentSize - buffered);
            if (buffered + n > plain.length) {
                // Small objects stay in the small first buffer; anything larger goes straight to a full segment
                // rather than copying through every power of two.
                final byte[] grown = SegmentBuffers.take(segmentSize);
                System.arraycopy(plain, 0, grown, 0, buffered);
                Arrays.fill(plain, (byte) 0);
                plain = grown;
            }
            System.arraycopy(b, off, plain, buffered, n);
            buffered += n;
            plainHighWater = Math.max(plainHighWater, buffered);
            off += n;
            len -= n;
        }
    }

    private void emit(final byte[] src, final int off, final int len, final boolean last) throws IOException {
        if (sealed == null || sealed.length < len + SegmentCipher.TAG_BYTES) {
            // The last segment of a small object gets an exact buffer; otherwise one full segment, reused.
            sealed = last && len <= INITIAL_BUFFER ? new byte[len + SegmentCipher.TAG_BYTES]
                    : SegmentBuffers.take(segmentSize + SegmentCipher.TAG_BYTES);
        }
        try {
            final int n = cipher.encrypt(segmentIndex, last, src, off, len, sealed, 0);
            digest.update(sealed, n - SegmentCipher.TAG_BYTES, SegmentCipher.TAG_BYTES);
            sink.write(sealed, 0, n);
            segmentIndex++;
            plaintextBytes += len;
            ciphertextBytes += n;
        } catch (final IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("encrypting stream is closed");
        }
        if (failed) {
            throw new IOException("encrypting stream failed earlier; the object is incomplete and will not decrypt");
        }
    }

    @Override
    public void flush() throws IOException {
        // Buffered plaintext stays buffered: flushing a partial segment would change the format's segmentation.
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!failed) {
                emit(plain, 0, buffered, true);
                ciphertextDigest = digest.digest();
            }
        } finally {
            Arrays.fill(plain, 0, Math.min(plain.length, Math.max(buffered, plainHighWater)), (byte) 0);
            release();
            try {
                onClose.accept(plaintextBytes);
            } finally {
                sink.close();
            }
        }
        if (failed) {
            throw new IOException("encrypting stream failed earlier; the object is incomplete and will not decrypt");
        }
    }

    /** Returns full-segment buffers to this thread's stash; the plaintext buffer is already zeroed. */
    private void release() {
        if (plain.length == segmentSize) {
            SegmentBuffers.give(plain);
        }
        if (sealed != null && sealed.length == segmentSize + SegmentCipher.TAG_BYTES) {
            SegmentBuffers.give(sealed);
        }
        plain = new byte[0];
        sealed = null;
    }

    /**
     * Abandons the object: the final segment is never written (so what reached the sink can never authenticate),
     * buffered plaintext is zeroed and the sink is closed. For a writer that found a problem with its input (a
     * checksum mismatch) after some segments went out. Idempotent; never throws.
     */
    public void abort() {
        if (closed) {
            return;
        }
        failed = true;
        try {
            close();
        } catch (final IOException expected) {
            // close() reports the abandoned object as a failure; that is what abort() asked for.
        }
    }

    /** Plaintext bytes encrypted so far (all of them after {@link #close()}). */
    public long plaintextBytes() {
        return plaintextBytes;
    }

    /** Bytes written to the underlying stream, header included. */
    public long ciphertextBytes() {
        return ciphertextBytes;
    }

    /**
     * SHA-256 over the header and every segment's GCM tag, in order; available once the stream has closed
     * successfully. Costs one SHA-256 block per segment, not a pass over the ciphertext. FORMAT.md says what it
     * proves (and what it does not).
     *
     * @throws IllegalStateException before a successful {@link #close()}
     */
    public byte[] ciphertextDigest() {
        if (ciphertextDigest == null) {
            throw new IllegalStateException("the ciphertext digest is known only after a successful close()");
        }
        return ciphertextDigest.clone();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The wrapped data key recorded in this object's header (DEK id and KEK reference). */
    public WrappedDataKey wrappedDataKey() {
        return wrappedDataKey;
    }
}
