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
 */
public record WrappedDataKey(String dekId, KekRef kek, byte[] ciphertext) {

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
                && Arrays.equals(ciphertext, other.ciphertext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dekId, kek, Arrays.hashCode(ciphertext));
    }

    @Override
    public String toString() {
        return "WrappedDataKey[dekId=" + dekId + ", kek=" + kek + ", ciphertext=" + ciphertext.length + " bytes "
                + HexFormat.of().formatHex(ciphertext, 0, Math.min(4, ciphertext.length)) + "...]";
    }
}
