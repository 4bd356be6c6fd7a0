package io.sealstream.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a wrapped data key is cryptographically bound to: the label {@value #WRAP_LABEL}, the KEK reference and the
 * DEK id. Providers that wrap locally use {@link #aad} as AES-GCM additional authenticated data (the encoding of
 * {@code LocalKeyStoreKms}); providers that wrap in a remote KMS pass the same fields as that KMS's context
 * (AWS encryption context, Vault key-derivation context), so a wrapped key relabelled with another key, version or
 * DEK id is rejected by the KMS itself.
 */
public final class KeyBinding {

    /** Purpose label; a new wrapping scheme gets a new label. */
    public static final String WRAP_LABEL = "sealstream-dek-wrap-v1";

    private KeyBinding() {
    }

    /** {@link #encode} of (label, provider, keyId, version, dekId). */
    public static byte[] aad(final KekRef ref, final String dekId) {
        Objects.requireNonNull(ref, "ref");
        DekIds.requireValid(dekId);
        return encode(WRAP_LABEL, ref.provider(), ref.keyId(), ref.version(), dekId);
    }

    /** Each field as a 4-byte big-endian length and its UTF-8 bytes, so no two different tuples encode alike. */
    public static byte[] encode(final String... fields) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        for (final String field : fields) {
            final byte[] bytes = Objects.requireNonNull(field, "field").getBytes(StandardCharsets.UTF_8);
            out.write(bytes.length >>> 24);
            out.write(bytes.length >>> 16);
            out.write(bytes.length >>> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
