package io.sealstream.kms.local;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * <b>Touches key material.</b> The local provider's Ed25519 signing key for a key-store entry: the PKCS#12 file holds
 * secret keys only, so the signing key is derived from the entry's AES key,
 * {@code seed = HMAC-SHA256(entry, "sealstream-audit-signing-key-v1")}, and the Ed25519 key pair is the one RFC 8032
 * makes from that 32-byte seed. The label separates it from every other use of the entry (wrapping data keys uses the
 * key directly with AES-GCM), so neither use helps an attack on the other; it exists only in memory while signing.
 */
final class DerivedSigningKey {

    static final byte[] LABEL = "sealstream-audit-signing-key-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private DerivedSigningKey() {
    }

    static KeyPair derive(final SecretKey entry) throws GeneralSecurityException {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(entry);
        final byte[] seed = mac.doFinal(LABEL);
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            return generator.generateKeyPair();
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Hands the key-pair generator the derived seed as its "random" private key bytes (RFC 8032's private key). */
    private static final class FixedSeed extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient byte[] seed;

        FixedSeed(final byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(final byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("Ed25519 asked for " + bytes.length + " seed bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
