package io.sealstream.envelope.internal;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.envelope.EnvelopeHeader;
import io.sealstream.envelope.MalformedEnvelopeException;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Writes and parses the version 1 header (layout in {@code docs/FORMAT.md}). Every length read from the input is
 * checked against a fixed limit before anything is allocated, so a hostile header can not exhaust memory.
 *
 * <pre>
 * magic "SEAL" | version u8 = 1 | suite u8 | header length u16 | segment size u32 | flags u8
 * | provider u8+UTF-8 | key id u8+UTF-8 | key version u8+UTF-8 | DEK id 16 bytes
 * | wrapped DEK u16+bytes | salt 32 | nonce prefix 7 | [stored context u16+bytes if flags bit 0]
 * | key commitment 32
 * </pre>
 */
public final class HeaderCodec {

    public static final byte[] MAGIC = {'S', 'E', 'A', 'L'};
    public static final int FORMAT_VERSION = 1;
    /** magic, version, suite, header length. */
    public static final int FIXED_PREFIX_BYTES = 8;
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    public static final int MIN_SEGMENT_SIZE = 1024;
    public static final int MAX_SEGMENT_SIZE = 8 * 1024 * 1024;
    public static final int SALT_BYTES = 32;
    public static final int FLAG_CONTEXT_STORED = 1;

    private HeaderCodec() {
    }

    /**
     * The part of a header that is the same for every object under one wrapped data key and preset: magic through
     * wrapped DEK. Writers cache it per data key; the header length field is patched per object.
     */
    public static byte[] template(final Preset.Suite suite, final int segmentSize, final WrappedDataKey wrapped,
                                  final boolean contextStored) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        out.writeBytes(MAGIC);
        out.write(FORMAT_VERSION);
        out.write(suite.id());
        out.write(0); // header length, patched per object
        out.write(0);
        writeU32(out, segmentSize);
        out.write(contextStored ? FLAG_CONTEXT_STORED : 0);
        final KekRef kek = wrapped.kek();
        writeShortString(out, kek.provider());
        writeShortString(out, kek.keyId());
        writeShortString(out, kek.version());
        out.writeBytes(HexFormat.of().parseHex(wrapped.dekId()));
        final byte[] ct = wrapped.ciphertext();
        writeU16(out, ct.length);
        out.writeBytes(ct);
        return out.toByteArray();
    }

    /**
     * A complete header from a {@link #template}, with room for the 32 commitment bytes at its end (zero until
     * filled); the header length field already counts them.
     */
    public static byte[] writeWithoutCommitment(final byte[] template, final byte[] salt, final byte[] noncePrefix,
                                                final byte[] storedContext) {
        final int length = template.length + SALT_BYTES + SegmentCipher.NONCE_PREFIX_BYTES
                + (storedContext == null ? 0 : 2 + storedContext.length) + ObjectKeys.COMMITMENT_BYTES;
        if (length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header would exceed " + MAX_HEADER_BYTES + " bytes");
        }
        final byte[] header = new byte[length];
        System.arraycopy(template, 0, header, 0, template.length);
        header[6] = (byte) (length >>> 8);
        header[7] = (byte) length;
        int pos = template.length;
        System.arraycopy(salt, 0, header, pos, SALT_BYTES);
        pos += SALT_BYTES;
        System.arraycopy(noncePrefix, 0, header, pos, SegmentCipher.NONCE_PREFIX_BYTES);
        pos += SegmentCipher.NONCE_PREFIX_BYTES;
        if (storedContext != null) {
            header[pos++] = (byte) (storedContext.length >>> 8);
            header[pos++] = (byte) storedContext.length;
            System.arraycopy(storedContext, 0, header, pos, storedContext.length);
        }
        return header;
    }

    /**
     * Validates the fixed 8-byte prefix and returns the total header length.
     */
    public static int headerLength(final byte[] prefix) throws MalformedEnvelopeException {
        if (prefix.length < FIXED_PREFIX_BYTES) {
            throw new MalformedEnvelopeException("not a sealstream object: shorter than a header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new MalformedEnvelopeException("not a sealstream object: bad magic bytes");
            }
        }
        final int version = prefix[4] & 0xff;
        if (version != FORMAT_VERSION) {
            throw new MalformedEnvelopeException("unsupported format version " + version + " (this build reads version "
                    + FORMAT_VERSION + ")");
        }
        if (Preset.Suite.fromId(prefix[5] & 0xff) == null) {
            throw new MalformedEnvelopeException("unknown algorithm suite id " + (prefix[5] & 0xff));
        }
        final int length = ((prefix[6] & 0xff) << 8) | (prefix[7] & 0xff);
        if (length < FIXED_PREFIX_BYTES + 4 + 1 + ObjectKeys.COMMITMENT_BYTES || length > MAX_HEADER_BYTES) {
            throw new MalformedEnvelopeException("header length " + length + " out of range");
        }
        return length;
    }

    /** Parses a complete header of exactly {@code headerLength(header)} bytes at offset 0 of {@code header}. */
    public static EnvelopeHeader parse(final byte[] header, final int length) throws MalformedEnvelopeException {
        final Reader r = new Reader(header, length);
        r.skip(FIXED_PREFIX_BYTES);
        final Preset.Suite suite = Preset.Suite.fromId(header[5] & 0xff);
        final long segmentSize = r.u32();
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new MalformedEnvelopeException("segment size " + segmentSize + " out of range");
        }
        final int flags = r.u8();
        if ((flags & ~FLAG_CONTEXT_STORED) != 0) {
            throw new MalformedEnvelopeException("unknown header flags " + flags);
        }
        final KekRef kek;
        final String dekId;
        try {
            kek = new KekRef(r.shortString(), r.shortString(), r.shortString());
            dekId = HexFormat.of().formatHex(r.bytes(16));
        } catch (final IllegalArgumentException e) {
            throw new MalformedEnvelopeException("invalid KEK reference in header: " + e.getMessage());
        }
        final int wrappedLength = r.u16();
        if (wrappedLength == 0 || wrappedLength > WrappedDataKey.MAX_CIPHERTEXT_BYTES) {
            throw new MalformedEnvelopeException("wrapped key length " + wrappedLength + " out of range");
        }
        final WrappedDataKey wrapped = new WrappedDataKey(dekId, kek, r.bytes(wrappedLength));
        r.skip(SALT_BYTES + SegmentCipher.NONCE_PREFIX_BYTES);
        Optional<EncryptionContext> stored = Optional.empty();
        if ((flags & FLAG_CONTEXT_STORED) != 0) {
            final int ctxLength = r.u16();
            if (ctxLength > EncryptionContext.MAX_ENCODED_BYTES) {
                throw new MalformedEnvelopeException("stored context length out of range");
            }
            try {
                stored = Optional.of(EncryptionContext.fromCanonicalEncoding(r.bytes(ctxLength)));
            } catch (final IllegalArgumentException e) {
                throw new MalformedEnvelopeException(e.getMessage());
            }
        }
        r.skip(ObjectKeys.COMMITMENT_BYTES);
        if (r.pos != length) {
            throw new MalformedEnvelopeException("header length field does not match its content");
        }
        return new EnvelopeHeader(FORMAT_VERSION, suite, (int) segmentSize, wrapped, stored, length);
    }

    /**
     * Offset of the nonce prefix inside a parsed header, counted back from its end (commitment, optional stored
     * context), so it never depends on re-encoding the decoded strings.
     */
    public static int noncePrefixOffset(final EnvelopeHeader h) {
        final int storedContext = h.storedContext().map(c -> 2 + c.canonicalEncoding().length).orElse(0);
        return h.length() - ObjectKeys.COMMITMENT_BYTES - storedContext - SegmentCipher.NONCE_PREFIX_BYTES;
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void writeShortString(final ByteArrayOutputStream out, final String s) {
        final byte[] b = utf8(s);
        out.write(b.length);
        out.writeBytes(b);
    }

    private static void writeU16(final ByteArrayOutputStream out, final int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeU32(final ByteArrayOutputStream out, final int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** Bounds-checked reader: running off the end is a malformed header, never an exception of another kind. */
    private static final class Reader {
        private final byte[] b;
        private final int limit;
        private int pos;

        Reader(final byte[] b, final int limit) {
            this.b = b;
            this.limit = limit;
        }

        private void need(final int n) throws MalformedEnvelopeException {
            if (n < 0 || limit - pos < n) {
                throw new MalformedEnvelopeException("header is truncated");
            }
        }

        void skip(final int n) throws MalformedEnvelopeException {
            need(n);
            pos += n;
        }

        int u8() throws MalformedEnvelopeException {
            need(1);
            return b[pos++] & 0xff;
        }

        int u16() throws MalformedEnvelopeException {
            need(2);
            final int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        long u32() throws MalformedEnvelopeException {
            need(4);
            final long v = ((long) (b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8)
                    | (b[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        byte[] bytes(final int n) throws MalformedEnvelopeException {
            need(n);
            final byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String shortString() throws MalformedEnvelopeException {
            final int n = u8();
            need(n);
            final java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();
            try {
                final String s = dec.decode(java.nio.ByteBuffer.wrap(b, pos, n)).toString();
                pos += n;
                return s;
            } catch (final java.nio.charset.CharacterCodingException e) {
                throw new MalformedEnvelopeException("header string is not valid UTF-8");
            }
        }
    }
}
