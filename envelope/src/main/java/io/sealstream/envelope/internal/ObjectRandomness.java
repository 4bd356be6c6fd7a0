package io.sealstream.envelope.internal;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Where a new object's salt and nonce prefix come from. Production uses {@link #secure()}; tests inject fixed
 * values to produce frozen vectors.
 */
@FunctionalInterface
public interface ObjectRandomness {

    void fill(byte[] salt, byte[] noncePrefix);

    /**
     * One NIST SP 800-90A DRBG per thread (256-bit strength, seeded by the JDK from the system's entropy source):
     * a shared {@code SecureRandom} would serialise all encrypting threads on one lock.
     */
    static ObjectRandomness secure() {
        return SecureHolder.INSTANCE;
    }

    final class SecureHolder {
        private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
            try {
                return SecureRandom.getInstance("DRBG",
                        DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE, null));
            } catch (final GeneralSecurityException e) {
                return new SecureRandom();
            }
        });
        static final ObjectRandomness INSTANCE = (salt, prefix) -> {
            final SecureRandom r = RANDOM.get();
            r.nextBytes(salt);
            r.nextBytes(prefix);
        };

        private SecureHolder() {
        }
    }
}
