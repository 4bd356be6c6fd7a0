package io.sealstream.bench;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The upper bound for any segmented AES-GCM format on the JDK: 64 KiB segments under one fixed key, one reused
 * {@link Cipher}, caller-provided output buffers, and nothing else (no header, no key derivation, no commitment).
 *
 * <p>Nonce = 32-bit object number || 64-bit segment index. The object number exists only because the JDK refuses to
 * re-initialise an encrypting GCM cipher with the key and nonce it last used, which encrypting the same object twice
 * in a row would otherwise do.
 */
final class RawJdkGcm {

    static final int TAG_BYTES = 16;

    private final SecretKeySpec key = new SecretKeySpec(BenchFixtures.randomKeyBytes(32), "AES");
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    RawJdkGcm() throws GeneralSecurityException {
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
    }

    static int segments(final int plaintextLength) {
        return Math.max(1, (plaintextLength + BenchFixtures.SEGMENT_BYTES - 1) / BenchFixtures.SEGMENT_BYTES);
    }

    static int ciphertextLength(final int plaintextLength) {
        return plaintextLength + segments(plaintextLength) * TAG_BYTES;
    }

    /** Encrypts {@code plaintext} into {@code out} (at least {@link #ciphertextLength} long); returns the bytes written. */
    int encrypt(final int objectNumber, final byte[] plaintext, final byte[] out) throws GeneralSecurityException {
        final int segments = segments(plaintext.length);
        int inPos = 0;
        int outPos = 0;
        for (int i = 0; i < segments; i++) {
            final int n = Math.min(BenchFixtures.SEGMENT_BYTES, plaintext.length - inPos);
            cipher.init(Cipher.ENCRYPT_MODE, key, spec(objectNumber, i));
            outPos += cipher.doFinal(plaintext, inPos, n, out, outPos);
            inPos += n;
        }
        return outPos;
    }

    /** Decrypts and authenticates {@code length} bytes of {@code ciphertext} into {@code out}; returns the bytes written. */
    int decrypt(final int objectNumber, final byte[] ciphertext, final int length, final byte[] out)
            throws GeneralSecurityException {
        final int fullSegment = BenchFixtures.SEGMENT_BYTES + TAG_BYTES;
        int inPos = 0;
        int outPos = 0;
        for (int i = 0; inPos < length; i++) {
            final int n = Math.min(fullSegment, length - inPos);
            cipher.init(Cipher.DECRYPT_MODE, key, spec(objectNumber, i));
            outPos += cipher.doFinal(ciphertext, inPos, n, out, outPos);
            inPos += n;
        }
        return outPos;
    }

    private GCMParameterSpec spec(final int objectNumber, final long segment) {
        for (int k = 0; k < 4; k++) {
            nonce[k] = (byte) (objectNumber >>> (24 - 8 * k));
        }
        for (int k = 0; k < 8; k++) {
            nonce[4 + k] = (byte) (segment >>> (56 - 8 * k));
        }
        return new GCMParameterSpec(TAG_BYTES * 8, nonce);
    }
}
