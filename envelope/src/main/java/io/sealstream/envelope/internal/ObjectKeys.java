package io.sealstream.envelope.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives an object's AES-256 key and its key commitment from the data key. <b>Touches key material.</b>
 *
 * <pre>
 * d     = SHA-256( u32(len(headerPrefix)) || headerPrefix || canonicalContext )
 * OKM   = HKDF-SHA256-Expand( PRK = DEK, info = "sealstream v1 object key" || d, L = 64 )
 * key   = OKM[0..32)      commitment = OKM[32..64)
 * </pre>
 * The header prefix (every header byte before the commitment) contains the random 256-bit salt and the nonce
 * prefix, so every object gets its own key even under one DEK. The DEK is a uniformly random 256-bit key, so
 * HKDF-Extract is skipped, as RFC 5869 section 3.3 allows. The commitment binds the DEK, the whole header and the
 * context: a reader checks it before decrypting anything, so a tampered header, a wrong context or a wrong key
 * is rejected up front.
 */
public final class ObjectKeys {

    public static final int KEY_BYTES = 32;
    public static final int COMMITMENT_BYTES = 32;
    static final byte[] LABEL = "sealstream v1 object key".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    });

    private final SecretKeySpec key;
    private final byte[] commitment;

    private ObjectKeys(final SecretKeySpec key, final byte[] commitment) {
        this.key = key;
        this.commitment = commitment;
    }

    /** @param dek the data key bytes (not modified, not kept) */
    public static ObjectKeys derive(final byte[] dek, final byte[] headerPrefix, final int prefixLength,
                                    final byte[] canonicalContext) {
        final MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update((byte) (prefixLength >>> 24));
        sha.update((byte) (prefixLength >>> 16));
        sha.update((byte) (prefixLength >>> 8));
        sha.update((byte) prefixLength);
        sha.update(headerPrefix, 0, prefixLength);
        sha.update(canonicalContext);
        final byte[] info = new byte[LABEL.length + 32];
        System.arraycopy(LABEL, 0, info, 0, LABEL.length);
        try {
            sha.digest(info, LABEL.length, 32);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 failed", e);
        }
        final byte[] okm = Hkdf.expand(dek, info, KEY_BYTES + COMMITMENT_BYTES);
        try {
            final SecretKeySpec key = new SecretKeySpec(okm, 0, KEY_BYTES, "AES");
            final byte[] commitment = Arrays.copyOfRange(okm, KEY_BYTES, KEY_BYTES + COMMITMENT_BYTES);
            return new ObjectKeys(key, commitment);
        } finally {
            Arrays.fill(okm, (byte) 0);
        }
    }

    public SecretKeySpec key() {
        return key;
    }

    public byte[] commitment() {
        return commitment;
    }

    /** Constant-time comparison with a commitment read from a header. */
    public boolean commitmentMatches(final byte[] stored, final int offset) {
        if (offset < 0 || stored.length - offset < COMMITMENT_BYTES) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < COMMITMENT_BYTES; i++) {
            diff |= commitment[i] ^ stored[offset + i];
        }
        return diff == 0;
    }
}
