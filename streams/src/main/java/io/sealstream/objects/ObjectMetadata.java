package io.sealstream.objects;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata sealstream stores with each ciphertext object: enough to find its key and to recognise a replayed
 * upload, never a secret (the wrapped DEK is in the object's header, not here).
 */
public final class ObjectMetadata {

    public static final String FORMAT_VERSION = "sealstream-format-version";
    public static final String DEK_ID = "sealstream-dek-id";
    public static final String KEK_PROVIDER = "sealstream-kek-provider";
    public static final String KEK_ID = "sealstream-kek-id";
    public static final String KEK_VERSION = "sealstream-kek-version";
    public static final String EVENT_ID = "sealstream-event-id";
    public static final String PLAINTEXT_SIZE = "sealstream-plaintext-size";
    public static final String SEGMENT_SIZE = "sealstream-segment-size";
    /** The upload's content type, when it is one an HTTP header can carry; read back by the S3 gateway. */
    public static final String CONTENT_TYPE = "sealstream-content-type";
    /** The plaintext's checksum as {@code <algorithm>:<hex>} ({@link PlaintextChecksums}), when the upload named one. */
    public static final String PLAINTEXT_CHECKSUM = "sealstream-plaintext-checksum";

    private ObjectMetadata() {
    }

    public static Map<String, String> of(final int formatVersion, final WrappedDataKey wrapped, final String eventId,
                                         final long plaintextSize, final int segmentSize) {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put(FORMAT_VERSION, Integer.toString(formatVersion));
        m.put(DEK_ID, wrapped.dekId());
        m.put(KEK_PROVIDER, wrapped.kek().provider());
        m.put(KEK_ID, wrapped.kek().keyId());
        m.put(KEK_VERSION, wrapped.kek().version());
        m.put(EVENT_ID, eventId);
        m.put(PLAINTEXT_SIZE, Long.toString(plaintextSize));
        m.put(SEGMENT_SIZE, Integer.toString(segmentSize));
        return m;
    }

    /**
     * As {@link #of}, plus the content type when it is printable ASCII of at most 255 characters (else left out) and
     * the plaintext checksum when there is one.
     */
    public static Map<String, String> of(final int formatVersion, final WrappedDataKey wrapped, final String eventId,
                                         final long plaintextSize, final int segmentSize, final String contentType,
                                         final io.sealstream.events.PlaintextChecksum checksum) {
        final Map<String, String> m = of(formatVersion, wrapped, eventId, plaintextSize, segmentSize);
        if (checksum != null) {
            m.put(PLAINTEXT_CHECKSUM, PlaintextChecksums.toMetadata(checksum));
        }
        if (contentType != null && contentType.length() <= 255 && contentType.equals(contentType.strip())
                && !contentType.isEmpty() && contentType.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            m.put(CONTENT_TYPE, contentType);
        }
        return m;
    }

    /** What a complete sealstream object's metadata says, or empty if any field is missing or unreadable. */
    public record Parsed(int formatVersion, String dekId, KekRef kek, String eventId, long plaintextSize, int segmentSize) {
    }

    public static Optional<Parsed> parse(final Map<String, String> metadata) {
        try {
            return Optional.of(new Parsed(Integer.parseInt(metadata.get(FORMAT_VERSION)), require(metadata, DEK_ID),
                    new KekRef(require(metadata, KEK_PROVIDER), require(metadata, KEK_ID), require(metadata, KEK_VERSION)),
                    require(metadata, EVENT_ID), Long.parseLong(metadata.get(PLAINTEXT_SIZE)),
                    Integer.parseInt(metadata.get(SEGMENT_SIZE))));
        } catch (final RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String require(final Map<String, String> m, final String key) {
        final String v = m.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(key);
        }
        return v;
    }
}
