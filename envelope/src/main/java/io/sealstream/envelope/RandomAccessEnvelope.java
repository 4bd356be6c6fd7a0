package io.sealstream.envelope;

import io.sealstream.envelope.internal.SegmentCipher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * An object opened for reading any plaintext range: its header has authenticated (key commitment) and its segment
 * layout is known from its size, so a range reads from the store only the segments it touches (FORMAT.md, "Range
 * reads"). Each segment is authenticated before any of its plaintext is released, under the index and last-segment
 * flag its position implies, so a segment moved, dropped, cut or appended fails its tag. Thread-safe: each range
 * is a stream of its own.
 */
public final class RandomAccessEnvelope {

    /** Ranges of the stored object, fetched on demand (an S3 ranged GET, a file channel...). */
    @FunctionalInterface
    public interface RangeSource {
        /** Opens {@code length} bytes of the stored object from {@code offset}; reading fewer is a truncation. */
        InputStream open(long offset, long length) throws IOException;
    }

    private final RangeSource source;
    private final EnvelopeHeader header;
    private final SegmentLayout layout;
    private final SegmentCipher cipher;
    /** The stored bytes fetched with the header (the start of the object), reused by a range starting there. */
    private final byte[] prefix;

    RandomAccessEnvelope(final RangeSource source, final EnvelopeHeader header, final SegmentLayout layout,
                         final SegmentCipher cipher, final byte[] prefix) {
        this.source = source;
        this.header = header;
        this.layout = layout;
        this.cipher = cipher;
        this.prefix = prefix;
    }

    /** The object's header (authenticated). */
    public EnvelopeHeader header() {
        return header;
    }

    public SegmentLayout layout() {
        return layout;
    }

    public long plaintextSize() {
        return layout.plaintextSize();
    }

    /**
     * Authenticated plaintext bytes {@code [offset, offset + length)}; reads only the segments they lie in. A
     * segment that does not authenticate ends the stream with an {@link EnvelopeAuthenticationException} before any
     * of its bytes are released.
     */
    public InputStream read(final long offset, final long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > layout.plaintextSize() || offset + length < 0) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside a plaintext of "
                    + layout.plaintextSize() + " bytes");
        }
        // An empty range still reads the segment it would start in, so an empty object's only segment (and the
        // object's last-segment flag) is verified before anything is reported as read.
        final long first = Math.min(layout.segmentOf(offset), layout.segments() - 1);
        final long last = length == 0 ? first : layout.segmentOf(offset + length - 1);
        final long from = layout.segmentOffset(first);
        final long to = layout.segmentOffset(last) + layout.sealedLength(last);
        return new RangeDecryptingInputStream(open(from, to - from), cipher, layout, first, last,
                offset - first * layout.segmentSize(), length);
    }

    private InputStream open(final long from, final long length) throws IOException {
        final long end = from + length;
        if (from >= prefix.length) {
            return source.open(from, length);
        }
        final int held = (int) Math.min(prefix.length, end);
        final InputStream cached = new ByteArrayInputStream(Arrays.copyOfRange(prefix, (int) from, held));
        return end <= held ? cached : new SequenceInputStream(cached, source.open(held, end - held));
    }

    static RandomAccessEnvelope open(final RangeSource source, final long ciphertextSize, final int prefetch,
                                     final HeaderOpener opener) throws IOException {
        Objects.requireNonNull(source, "source");
        final byte[] start = readFully(source, 0, Math.min(ciphertextSize, prefetch));
        final int headerLength = EnvelopeDecryptor.headerLength(start);
        final byte[] headerBytes = headerLength <= start.length ? Arrays.copyOf(start, headerLength)
                : concat(start, readFully(source, start.length, headerLength - start.length));
        final EnvelopeHeader parsed = EnvelopeDecryptor.parseHeader(headerBytes);
        final SegmentLayout layout = SegmentLayout.of(parsed, ciphertextSize);
        final SegmentCipher cipher = opener.open(headerBytes, parsed);
        return new RandomAccessEnvelope(source, parsed, layout, cipher, start);
    }

    /** Checks the key commitment and derives the segment cipher (the decryptor's, which holds the key resolver). */
    @FunctionalInterface
    interface HeaderOpener {
        SegmentCipher open(byte[] header, EnvelopeHeader parsed) throws EnvelopeException;
    }

    private static byte[] readFully(final RangeSource source, final long offset, final long length) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("prefetch too large");
        }
        try (InputStream in = source.open(offset, length)) {
            final byte[] bytes = in.readNBytes((int) length);
            if (bytes.length != length) {
                throw new MalformedEnvelopeException("not a sealstream object: truncated header");
            }
            return bytes;
        }
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
