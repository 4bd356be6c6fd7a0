package io.sealstream.envelope;

import io.sealstream.envelope.internal.HeaderCodec;
import io.sealstream.envelope.internal.SegmentCipher;
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
public final class RandomAccessEnvelope implements java.io.Closeable {

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
    /**
     * The stream the header came from, positioned right after it and good up to {@code initialEnd}: the first range
     * that lies in it reads on from there instead of asking the store again (a whole-object read is one request).
     */
    private final java.util.concurrent.atomic.AtomicReference<InputStream> initial;
    private final long initialEnd;

    RandomAccessEnvelope(final RangeSource source, final EnvelopeHeader header, final SegmentLayout layout,
                         final SegmentCipher cipher, final InputStream initial, final long initialEnd) {
        this.source = source;
        this.header = header;
        this.layout = layout;
        this.cipher = cipher;
        this.initial = new java.util.concurrent.atomic.AtomicReference<>(initial);
        this.initialEnd = initialEnd;
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
        final InputStream start = initial.getAndSet(null);
        if (start != null) {
            final long position = layout.headerLength();
            if (from >= position && from < initialEnd) {
                start.skipNBytes(from - position);
                final InputStream held = new Bounded(start, Math.min(end, initialEnd) - from);
                return end <= initialEnd ? held : new SequenceInputStream(held, source.open(initialEnd, end - initialEnd));
            }
            start.close();
        }
        return source.open(from, length);
    }

    /** Closes the initial stream if no range used it. */
    @Override
    public void close() throws IOException {
        final InputStream start = initial.getAndSet(null);
        if (start != null) {
            start.close();
        }
    }

    static RandomAccessEnvelope open(final InputStream start, final long startLength, final RangeSource source,
                                     final long ciphertextSize, final HeaderOpener opener) throws IOException {
        Objects.requireNonNull(source, "source");
        boolean handedOver = false;
        try {
            final byte[] prefix = readFully(start, HeaderCodec.FIXED_PREFIX_BYTES);
            final int headerLength = EnvelopeDecryptor.headerLength(prefix);
            final byte[] headerBytes = Arrays.copyOf(prefix, headerLength);
            final int inStart = (int) Math.max(0, Math.min(headerLength, startLength) - prefix.length);
            System.arraycopy(readFully(start, inStart), 0, headerBytes, prefix.length, inStart);
            if (prefix.length + inStart < headerLength) {
                final int more = headerLength - prefix.length - inStart;
                try (InputStream rest = source.open(prefix.length + inStart, more)) {
                    System.arraycopy(readFully(rest, more), 0, headerBytes, prefix.length + inStart, more);
                }
            }
            final EnvelopeHeader parsed = EnvelopeDecryptor.parseHeader(headerBytes);
            final SegmentLayout layout = SegmentLayout.of(parsed, ciphertextSize);
            final SegmentCipher cipher = opener.open(headerBytes, parsed);
            handedOver = true;
            return new RandomAccessEnvelope(source, parsed, layout, cipher, start, Math.min(startLength, ciphertextSize));
        } finally {
            if (!handedOver) {
                start.close();
            }
        }
    }

    /** Checks the key commitment and derives the segment cipher (the decryptor's, which holds the key resolver). */
    @FunctionalInterface
    interface HeaderOpener {
        SegmentCipher open(byte[] header, EnvelopeHeader parsed) throws EnvelopeException;
    }

    private static byte[] readFully(final InputStream in, final int length) throws IOException {
        final byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new MalformedEnvelopeException("not a sealstream object: truncated header");
        }
        return bytes;
    }

    /** At most {@code limit} bytes of a stream; closing it closes the stream. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long remaining;

        Bounded(final InputStream in, final long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            final int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (remaining <= 0) {
                return len == 0 ? 0 : -1;
            }
            final int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
