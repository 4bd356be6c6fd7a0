package io.sealstream.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a wrapped data key is cryptographically bound to: the label {@value #WRAP_LABEL}, the KEK reference and the
 * DEK id, and for a scoped key (label {@value #SCOPED_WRAP_LABEL}) also its tenant and bucket ({@link KeyScope}). Providers that wrap locally use {@link #aad} as AES-GCM additional authenticated data (the encoding of
 * {@code LocalKeyStoreKms}); providers that wrap in a remote KMS pass the same fields as that KMS's context
 * (AWS encryption context, Vault key-derivation context), so a wrapped key relabelled with another key, version or
 * DEK id is rejected by the KMS itself.
 */
public final class KeyBinding {

    /** Purpose label; a new wrapping scheme gets a new label. */
    public static final String WRAP_LABEL = "sealstream-dek-wrap-v1";
    /** Purpose label of a key bound to a tenant's bucket. */
    public static final String SCOPED_WRAP_LABEL = "sealstream-dek-wrap-v2-scoped";

    private KeyBinding() {
    }

    /**
     * {@link #encode} of (label, provider, keyId, version, dekId) for an unscoped key, and of (scoped label, provider,
     * keyId, version, dekId, tenant, bucket) for a scoped one.
     */
    public static byte[] aad(final KekRef ref, final String dekId, final KeyScope scope) {
        Objects.requireNonNull(ref, "ref");
        DekIds.requireValid(dekId);
        if (!scope.isScoped()) {
            return encode(WRAP_LABEL, ref.provider(), ref.keyId(), ref.version(), dekId);
        }
        return encode(SCOPED_WRAP_LABEL, ref.provider(), ref.keyId(), ref.version(), dekId, scope.tenant(), scope.bucket());
    }

    /** {@link #aad(KekRef, String, KeyScope)} of a wrapped key's own fields. */
    public static byte[] aad(final WrappedDataKey wrapped) {
        return aad(wrapped.kek(), wrapped.dekId(), wrapped.scope());
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
