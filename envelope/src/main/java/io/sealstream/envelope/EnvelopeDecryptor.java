package io.sealstream.envelope;

import io.sealstream.envelope.internal.HeaderCodec;
import io.sealstream.envelope.internal.ObjectSealing;
import io.sealstream.envelope.internal.SegmentCipher;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KmsException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads envelopes. The header is parsed within fixed size limits, the data key is obtained through the
 * {@link DataKeyResolver}, and the key commitment is checked before any segment is decrypted. Thread-safe.
 */
public final class EnvelopeDecryptor {

    private final DataKeyResolver resolver;

    public EnvelopeDecryptor(final DataKeyResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Parses the header at the start of {@code source} without decrypting anything (no KMS call). */
    public static EnvelopeHeader readHeader(final InputStream source) throws IOException {
        return parse(readHeaderBytes(source));
    }

    /** Parses the header at the start of a complete or partial object. */
    public static EnvelopeHeader parseHeader(final byte[] object) throws MalformedEnvelopeException {
        final int length = HeaderCodec.headerLength(object);
        if (object.length < length) {
            throw new MalformedEnvelopeException("not a sealstream object: shorter than its header");
        }
        return HeaderCodec.parse(object, length);
    }

    /**
     * Recomputes an object's ciphertext digest (SHA-256 over the header and every segment tag, in order, as
     * {@link EncryptingOutputStream#ciphertextDigest()} reports it) without any key: a reader can check that the
     * bytes it holds are the ones the writer announced before spending a KMS call. Reads the whole stream but hashes
     * only the header and 16 bytes per segment. See FORMAT.md, "Ciphertext digest", for what a match proves.
     */
    public static byte[] ciphertextDigest(final InputStream source) throws IOException {
        Objects.requireNonNull(source, "source");
        final byte[] header = readHeaderBytes(source);
        final EnvelopeHeader parsed = parse(header);
        final java.security.MessageDigest digest = EncryptingOutputStream.sha256();
        digest.update(header);
        final int fullSegment = parsed.segmentSize() + SegmentCipher.TAG_BYTES;
        final byte[] segment = new byte[fullSegment];
        boolean sawSegment = false;
        while (true) {
            final int n = source.readNBytes(segment, 0, fullSegment);
            if (n == 0) {
                break;
            }
            if (n < SegmentCipher.TAG_BYTES) {
                throw new MalformedEnvelopeException("not a sealstream object: a segment is shorter than its tag");
            }
            digest.update(segment, n - SegmentCipher.TAG_BYTES, SegmentCipher.TAG_BYTES);
            sawSegment = true;
            if (n < fullSegment) {
                break;
            }
        }
        if (!sawSegment) {
            throw new MalformedEnvelopeException("not a sealstream object: no segment after the header");
        }
        if (source.read() != -1) {
            throw new MalformedEnvelopeException("not a sealstream object: bytes after the final segment");
        }
        return digest.digest();
    }

    private static EnvelopeHeader parse(final byte[] header) throws MalformedEnvelopeException {
        return HeaderCodec.parse(header, header.length);
    }

    private static byte[] readHeaderBytes(final InputStream source) throws IOException {
        final byte[] prefix = source.readNBytes(HeaderCodec.FIXED_PREFIX_BYTES);
        final int length = HeaderCodec.headerLength(prefix);
        final byte[] header = Arrays.copyOf(prefix, length);
        final int rest = source.readNBytes(header, HeaderCodec.FIXED_PREFIX_BYTES, length - HeaderCodec.FIXED_PREFIX_BYTES);
        if (rest != length - HeaderCodec.FIXED_PREFIX_BYTES) {
            throw new MalformedEnvelopeException("not a sealstream object: truncated header");
        }
        return header;
    }

    /**
     * Reads and authenticates the header, then returns a stream of authenticated plaintext.
     *
     * @param context the encryption context the object was written with, or {@code null} to use the one stored in
     *                the header, or the empty context if none was stored
     */
    public DecryptingInputStream decryptingStream(final InputStream source, final EncryptionContext context) throws IOException {
        Objects.requireNonNull(source, "source");
        final byte[] header = readHeaderBytes(source);
        final EnvelopeHeader parsed = parse(header);
        final SegmentCipher cipher = openHeader(header, parsed, context);
        return new DecryptingInputStream(source, parsed, cipher);
    }

    /**
     * Opens a stored object of {@code ciphertextSize} bytes for range reads: fetches the header (with the first
     * 64 KiB, which a read from the start then reuses), authenticates it exactly as {@link #decryptingStream} does,
     * and lays out its segments. Nothing else is fetched until a range is read.
     *
     * @param context as for {@link #decryptingStream}
     */
    public RandomAccessEnvelope openRandomAccess(final RandomAccessEnvelope.RangeSource source, final long ciphertextSize,
                                                 final EncryptionContext context) throws IOException {
        final long prefetch = Math.min(ciphertextSize, RANGE_PREFETCH_BYTES);
        return openRandomAccess(source.open(0, prefetch), prefetch, source, ciphertextSize, context);
    }

    /**
     * As above, with the start of the object already open: {@code start} reads the stored object from offset 0 for
     * {@code startLength} bytes (the whole object, or a prefetch), and a range that lies in it reads on from it. Takes
     * ownership of {@code start} (closed on failure, or by {@link RandomAccessEnvelope#close}).
     */
    public RandomAccessEnvelope openRandomAccess(final InputStream start, final long startLength,
                                                 final RandomAccessEnvelope.RangeSource source, final long ciphertextSize,
                                                 final EncryptionContext context) throws IOException {
        return RandomAccessEnvelope.open(start, startLength, source, ciphertextSize,
                (header, parsed) -> openHeader(header, parsed, context));
    }

    /** How much of an object's start a range read asks for with its header: the header plus a default segment. */
    public static long rangePrefetchBytes() {
        return RANGE_PREFETCH_BYTES;
    }

    /** The header plus one default-preset segment: one request serves a small object whole. */
    private static final int RANGE_PREFETCH_BYTES = 64 * 1024 + 1024;

    static int headerLength(final byte[] start) throws MalformedEnvelopeException {
        return HeaderCodec.headerLength(start);
    }

    /** One-shot decryption; returns the plaintext only if the whole object authenticated. */
    public byte[] decrypt(final byte[] object, final EncryptionContext context) throws EnvelopeException {
        Objects.requireNonNull(object, "object");
        final EnvelopeHeader parsed = parseHeader(object);
        final SegmentCipher cipher = openHeader(object, parsed, context);
        final int fullSegment = parsed.segmentSize() + SegmentCipher.TAG_BYTES;
        final int body = object.length - parsed.length();
        // Every segment is full except the last, which holds 0..segmentSize plaintext bytes plus its tag.
        final int segments = body == 0 ? 0 : (int) ((body + (long) fullSegment - 1) / fullSegment);
        final int lastLength = body - (segments - 1) * fullSegment;
        if (segments == 0 || lastLength < SegmentCipher.TAG_BYTES) {
            throw new EnvelopeAuthenticationException("ciphertext is truncated: the final segment is missing or cut");
        }
        final byte[] plain = new byte[body - segments * SegmentCipher.TAG_BYTES];
        int inPos = parsed.length();
        int outPos = 0;
        for (int i = 0; i < segments; i++) {
            final boolean last = i == segments - 1;
            final int len = last ? lastLength : fullSegment;
            final int n = cipher.decrypt(i, last, object, inPos, len, plain, outPos);
            if (n < 0) {
                Arrays.fill(plain, (byte) 0);
                throw new EnvelopeAuthenticationException(EnvelopeAuthenticationException.segmentFailed(i));
            }
            inPos += len;
            outPos += n;
        }
        return plain;
    }

    private SegmentCipher openHeader(final byte[] header, final EnvelopeHeader parsed, final EncryptionContext given)
            throws EnvelopeException {
        final EncryptionContext context;
        if (given != null) {
            if (parsed.storedContext().isPresent() && !parsed.storedContext().get().equals(given)) {
                throw new EnvelopeAuthenticationException("the encryption context given does not match the one stored "
                        + "in the object");
            }
            context = given;
        } else {
            // Nothing given: the stored context, else the empty one (a wrong guess fails the key commitment).
            context = parsed.storedContext().orElse(EncryptionContext.EMPTY);
        }
        final DataKey dek;
        try {
            // The scope comes from the identity the caller reads as, never from the object: a key made for another
            // tenant or bucket is refused by the KMS (or the registry), whatever the header says.
            dek = resolver.resolve(parsed.wrappedDataKey().withScope(context.keyScope()));
        } catch (final KmsException e) {
            throw new EnvelopeKeyException("cannot obtain data key " + parsed.wrappedDataKey().dekId() + " under KEK "
                    + parsed.wrappedDataKey().kek() + ": " + e.getMessage(), e, e.isTransient());
        }
        try {
            return ObjectSealing.open(header, parsed, dek, context);
        } finally {
            dek.close();
        }
    }
}
