package io.sealstream.envelope.internal;

import io.sealstream.kms.ZeroizableKey;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869) on the JDK's {@link Mac}, which is ~5x faster than Bouncy Castle's
 * pure-Java HKDF here. <b>Touches key material.</b> Thread-safe: one {@code Mac} per thread.
 */
public final class Hkdf {

    public static final int HASH_LEN = 32;
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    });

    /** Re-keys the per-thread Mac after use, so the DEK's HMAC pads do not outlive the derivation in it. */
    private static final SecretKeySpec SCRUB_KEY = new SecretKeySpec(new byte[HASH_LEN], "HmacSHA256");

    private Hkdf() {
    }

    /** RFC 5869 section 2.2. An empty or null salt means HashLen zero bytes. */
    public static byte[] extract(final byte[] salt, final byte[] ikm) {
        final byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LEN] : salt;
        final Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(s, "HmacSHA256"));
            return mac.doFinal(ikm);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-Extract failed", e);
        } finally {
            scrub(mac);
        }
    }

    /**
     * RFC 5869 section 2.3: {@code length} bytes of output keying material from a pseudorandom key.
     * The caller zeroes the result when it holds key material.
     */
    public static byte[] expand(final byte[] prk, final byte[] info, final int length) {
        if (prk.length < HASH_LEN) {
            throw new IllegalArgumentException("PRK shorter than HashLen");
        }
        if (length < 0 || length > 255 * HASH_LEN) {
            throw new IllegalArgumentException("HKDF-Expand length out of range");
        }
        final Mac mac = MAC.get();
        final byte[] okm = new byte[length];
        final byte[] t = new byte[HASH_LEN];
        try {
            // Not a SecretKeySpec: its copy of the PRK could not be zeroed (JDK 17) and would wait for the collector.
            final ZeroizableKey key = new ZeroizableKey(prk, "HmacSHA256");
            try {
                mac.init(key);
            } finally {
                key.destroy();
            }
            int produced = 0;
            for (int i = 1; produced < length; i++) {
                if (i > 1) {
                    mac.update(t);
                }
                mac.update(info);
                mac.update((byte) i);
                mac.doFinal(t, 0);
                final int n = Math.min(HASH_LEN, length - produced);
                System.arraycopy(t, 0, okm, produced, n);
                produced += n;
            }
            return okm;
        } catch (final GeneralSecurityException e) {
            Arrays.fill(okm, (byte) 0);
            throw new IllegalStateException("HKDF-Expand failed", e);
        } finally {
            Arrays.fill(t, (byte) 0);
            scrub(mac);
        }
    }

    private static void scrub(final Mac mac) {
        try {
            mac.init(SCRUB_KEY);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("cannot re-key HmacSHA256", e);
        }
    }
}
