package io.sealstream.envelope;

import io.sealstream.envelope.internal.SegmentCipher;

/**
 * Where each segment of a stored object lies, computed from its header and its total size alone (FORMAT.md,
 * "Segments": every segment is full except the last, which holds 0 to {@code segmentSize} plaintext bytes plus its
 * tag). No key is involved and nothing is authenticated here: a size that does not fit the format is refused, and a
 * size that fits but is not the writer's makes the computed last segment fail its tag when it is read.
 *
 * @param headerLength   bytes before segment 0
 * @param segmentSize    plaintext bytes per full segment
 * @param ciphertextSize the stored object's size
 * @param segments       number of segments, at least 1
 * @param plaintextSize  plaintext bytes of the whole object
 */
public record SegmentLayout(int headerLength, int segmentSize, long ciphertextSize, long segments, long plaintextSize) {

    /** Lays out an object of {@code ciphertextSize} bytes whose header is {@code header}. */
    public static SegmentLayout of(final EnvelopeHeader header, final long ciphertextSize) throws MalformedEnvelopeException {
        final long body = ciphertextSize - header.length();
        if (body < SegmentCipher.TAG_BYTES) {
            throw new MalformedEnvelopeException("ciphertext is truncated: " + ciphertextSize
                    + " bytes cannot hold the header and a final segment");
        }
        final long full = header.segmentSize() + (long) SegmentCipher.TAG_BYTES;
        final long segments = (body + full - 1) / full;
        final long lastSealed = body - (segments - 1) * full;
        if (lastSealed < SegmentCipher.TAG_BYTES) {
            throw new MalformedEnvelopeException("ciphertext is truncated: the final segment is cut ("
                    + ciphertextSize + " bytes do not fit segments of " + header.segmentSize() + ")");
        }
        if (segments > SegmentCipher.MAX_SEGMENTS) {
            throw new MalformedEnvelopeException("object exceeds " + SegmentCipher.MAX_SEGMENTS + " segments");
        }
        return new SegmentLayout(header.length(), header.segmentSize(), ciphertextSize, segments,
                body - segments * SegmentCipher.TAG_BYTES);
    }

    /** Offset of segment {@code index} in the stored object. */
    public long segmentOffset(final long index) {
        return headerLength + index * (segmentSize + (long) SegmentCipher.TAG_BYTES);
    }

    /** Stored bytes of segment {@code index}, tag included. */
    public int sealedLength(final long index) {
        return index == segments - 1
                ? (int) (ciphertextSize - segmentOffset(index))
                : segmentSize + SegmentCipher.TAG_BYTES;
    }

    /** The segment that holds plaintext byte {@code offset}. */
    public long segmentOf(final long offset) {
        return offset / segmentSize;
    }
}
