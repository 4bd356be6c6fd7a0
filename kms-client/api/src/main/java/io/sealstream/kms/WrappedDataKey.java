package io.sealstream.kms;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A data-encryption key (DEK) in its wrapped form: encrypted under one KEK version by the KMS.
 * Not a secret by itself (it is useless without the KEK) and stored in every object header.
 *
 * @param dekId      stable identifier of the DEK (32 lowercase hex characters); survives re-wrapping
 * @param kek        the KEK version that wrapped it
 * @param ciphertext the provider-specific wrapped key bytes
 * @param scope      the tenant and bucket it is bound to ({@link KeyScope}); not stored in object headers: a reader
 *                   sets it from the identity it reads as ({@link #withScope})
 */
public record WrappedDataKey(String dekId, KekRef kek, byte[] ciphertext, KeyScope scope) {

    /** Upper bound on a wrapped key's size, so a hostile header can not make a parser allocate more. */
    public static final int MAX_CIPHERTEXT_BYTES = 4096;

    public WrappedDataKey {
        Objects.requireNonNull(kek, "kek");
        DekIds.requireValid(dekId);
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (ciphertext.length == 0 || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
            throw new IllegalArgumentException("wrapped key length " + ciphertext.length + " outside 1.." + MAX_CIPHERTEXT_BYTES);
        }
        ciphertext = ciphertext.clone();
        Objects.requireNonNull(scope, "scope");
    }

    /** An unscoped wrapped key ({@link KeyScope#UNSCOPED}). */
    public WrappedDataKey(final String dekId, final KekRef kek, final byte[] ciphertext) {
        this(dekId, kek, ciphertext, KeyScope.UNSCOPED);
    }

    /** The same wrapped bytes claimed for {@code scope}: the KMS unwraps it only if it was made for that scope. */
    public WrappedDataKey withScope(final KeyScope newScope) {
        return newScope.equals(scope) ? this : new WrappedDataKey(dekId, kek, ciphertext, newScope);
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** Length of the wrapped bytes without copying them. */
    public int ciphertextLength() {
        return ciphertext.length;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof WrappedDataKey other
                && dekId.equals(other.dekId)
                && kek.equals(other.kek)
                && Arrays.equals(ciphertext, other.ciphertext)
                && scope.equals(other.scope);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dekId, kek, Arrays.hashCode(ciphertext), scope);
    }

    @Override
    public String toString() {
        return "WrappedDataKey[dekId=" + dekId + ", kek=" + kek + ", scope=" + scope + ", ciphertext=" + ciphertext.length + " bytes "
                + HexFormat.of().formatHex(ciphertext, 0, Math.min(4, ciphertext.length)) + "...]";
    }
}
