package io.sealstream.kms;

import java.util.Objects;

/**
 * Names one version of a key-encryption key (KEK) held by a KMS: which provider, which key, which version.
 * Contains no secret; safe to log, store in object headers and put in audit events.
 */
public record KekRef(String provider, String keyId, String version) {

    /** Upper bound on each field's UTF-8 length, so a header can never carry an unbounded reference. */
    public static final int MAX_FIELD_BYTES = 255;

    public KekRef {
        requireField("provider", provider);
        requireField("keyId", keyId);
        requireField("version", version);
    }

    private static void requireField(final String name, final String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("KEK reference " + name + " must not be empty");
        }
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("KEK reference " + name + " longer than " + MAX_FIELD_BYTES + " bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException("KEK reference " + name + " contains a control character");
            }
        }
    }

    /** {@code provider:keyId@version}, the form used in logs, metadata and the CLI. */
    @Override
    public String toString() {
        return provider + ":" + keyId + "@" + version;
    }
}
