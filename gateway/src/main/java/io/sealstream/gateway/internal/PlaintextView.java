package io.sealstream.gateway.internal;

import io.sealstream.objects.ObjectMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * What S3 clients see of a stored ciphertext: the plaintext's size, content type and an ETag. The ETag is derived
 * from the upload's event id and plaintext size (the pipeline writes each upload once; a new upload of the key gets a
 * new ETag), 32 hex digits like S3's, but not an MD5 of the content: nothing here has read the plaintext.
 */
final class PlaintextView {

    private PlaintextView() {
    }

    static Optional<Long> size(final Map<String, String> metadata) {
        return ObjectMetadata.parse(metadata).map(ObjectMetadata.Parsed::plaintextSize);
    }

    static String contentType(final Map<String, String> metadata) {
        final String type = metadata.get(ObjectMetadata.CONTENT_TYPE);
        return type == null || type.isBlank() ? "application/octet-stream" : type;
    }

    static Optional<io.sealstream.events.PlaintextChecksum> checksum(final Map<String, String> metadata) {
        return io.sealstream.objects.PlaintextChecksums.fromMetadata(metadata.get(ObjectMetadata.PLAINTEXT_CHECKSUM));
    }

    static String etag(final Map<String, String> metadata) {
        final String basis = metadata.getOrDefault(ObjectMetadata.EVENT_ID, "") + "\n"
                + metadata.getOrDefault(ObjectMetadata.PLAINTEXT_SIZE, "") + "\n"
                + metadata.getOrDefault(ObjectMetadata.PLAINTEXT_CHECKSUM, "");
        try {
            final byte[] d = MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
