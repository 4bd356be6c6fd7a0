package io.sealstream.kms;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wrapped-key format of the providers that wrap data keys themselves (local key store, PKCS#11 token, customer
 * keys): {@code nonce(12) || AES-256-GCM(DEK) || tag(16)}, {@value #WRAPPED_BYTES} bytes, with {@link KeyBinding#aad}
 * as additional authenticated data, so a wrapped key relabelled with another key, version or DEK id is rejected.
 * <b>Handles key material.</b> The caller supplies the cipher (the JDK's, or a token's), so the KEK can stay inside
 * its provider, and turns failures into its own exceptions.
 */
public final class GcmKeyWrap {

    /** Size of a wrapped data key. */
    public static final int WRAPPED_BYTES = 12 + DataKey.KEY_BYTES + 16;

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    // Cipher objects are not thread-safe and costly to look up; one per thread, re-initialised per call.
    private static final ThreadLocal<Cipher> JDK_GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES/GCM/NoPadding", e);
        }
    });

    /** A constant key the per-thread JDK cipher is re-keyed with after each use (see {@link #scrub}). */
    private static final SecretKeySpec SCRUB_KEY = new SecretKeySpec(new byte[DataKey.KEY_BYTES], "AES");
    private static final GCMParameterSpec SCRUB_IV = new GCMParameterSpec(TAG_BITS, new byte[NONCE_BYTES]);

    private GcmKeyWrap() {
    }

    /**
     * Re-keys a JDK cipher with a constant key once a wrap or unwrap is done, so the per-thread cipher no longer holds
     * the KEK's schedule (a forgotten customer key stops being reachable from it). The JDK drops, and does not zero,
     * the arrays of the old schedule: they stay in the heap until the collector reuses them. A token's cipher
     * (PKCS#11) keeps its key on the token and is left alone.
     */
    private static void scrub(final Cipher cipher) {
        if (!"SunJCE".equals(cipher.getProvider().getName())) {
            return;
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, SCRUB_KEY, SCRUB_IV);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("cannot re-key the AES/GCM cipher", e);
        }
    }

    /** This thread's JDK AES/GCM cipher, for KEKs held in memory. */
    public static Cipher jdkCipher() {
        return JDK_GCM.get();
    }

    /** {@code dek} wrapped under {@code kek} with a fresh random nonce, bound to {@code (ref, dekId, scope)}. */
    public static byte[] wrap(final Cipher cipher, final Key kek, final KekRef ref, final String dekId,
                              final KeyScope scope, final byte[] dek) throws GeneralSecurityException {
        final byte[] out = new byte[WRAPPED_BYTES];
        final byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        final int written;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(KeyBinding.aad(ref, dekId, scope));
            written = cipher.doFinal(dek, 0, dek.length, out, NONCE_BYTES);
        } finally {
            scrub(cipher);
        }
        if (written != WRAPPED_BYTES - NONCE_BYTES) {
            throw new GeneralSecurityException("the cipher returned " + written + " bytes wrapping data key " + dekId);
        }
        return out;
    }

    /**
     * The plaintext DEK of {@code wrapped}, which the caller owns (and must zero). Throws {@link AEADBadTagException}
     * for anything that is not a genuine wrapping under {@code kek} with this binding, wrong lengths included.
     */
    public static byte[] unwrap(final Cipher cipher, final Key kek, final WrappedDataKey wrapped)
            throws GeneralSecurityException {
        if (wrapped.ciphertextLength() != WRAPPED_BYTES) {
            throw new AEADBadTagException("wrapped data key has " + wrapped.ciphertextLength() + " bytes, not " + WRAPPED_BYTES);
        }
        final byte[] ciphertext = wrapped.ciphertext();
        final byte[] dek;
        try {
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
            cipher.updateAAD(KeyBinding.aad(wrapped));
            dek = cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
        } finally {
            scrub(cipher);
        }
        if (dek.length != DataKey.KEY_BYTES) {
            Arrays.fill(dek, (byte) 0);
            throw new AEADBadTagException("unwrapped data key has " + dek.length + " bytes");
        }
        return dek;
    }
}
