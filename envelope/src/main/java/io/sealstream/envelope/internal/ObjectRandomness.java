package io.sealstream.envelope.internal;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a new object's salt and nonce prefix come from. Production uses {@link #secure()}; tests inject fixed
 * values to produce frozen vectors.
 */
@FunctionalInterface
public interface ObjectRandomness {

    void fill(byte[] salt, byte[] noncePrefix);

    /**
     * Per thread, a CTR_DRBG-style generator (NIST SP 800-90A, without derivation function): AES-256 in counter mode
     * under a key drawn from the JDK's SP 800-90A {@code DRBG} (256-bit strength), rekeyed every 2^20 objects. Why not
     * call the JDK's DRBG directly: it costs ~0.6 µs per call here, a fifth of the whole budget of a 1 KiB object,
     * while three AES blocks under a cached key cost ~0.1 µs. Within one key epoch the outputs are distinct AES
     * permutation outputs of distinct counters, so two objects of one thread never get the same salt.
     *
     * <p>Snapshots: a process restored twice from one snapshot replays this generator. So the generator is rekeyed,
     * with 256 bits from the operating system mixed into its key and counter ({@link OsEntropy}), whenever
     * {@value CtrGenerator#RESTORE_GAP_MILLIS} ms or more of wall-clock time passed since its last key, or the clock went
     * back. A restore is always that far from the moment the snapshot was taken, so each restored copy rekeys from the
     * kernel before its first object; while a thread is busy this costs one OS read per
     * {@value CtrGenerator#RESTORE_GAP_MILLIS} ms (reading the OS for every object would cost about 1.6 µs each,
     * more than half of a 1 KiB object's 2.9 µs encryption).
     */
    static ObjectRandomness secure() {
        return CtrGenerator::fillFromThisThread;
    }

    /** The per-thread generator behind {@link #secure()}. Holds a generator key; never exposes it. */
    final class CtrGenerator {
        private static final long OBJECTS_PER_KEY = 1L << 20;
        /** Wall-clock gap after which the generator assumes it may have been restored from a snapshot. */
        static final long RESTORE_GAP_MILLIS = 10;
        private static final ThreadLocal<SecureRandom> SEEDS = ThreadLocal.withInitial(() -> {
            try {
                return SecureRandom.getInstance("DRBG",
                        DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, null));
            } catch (final GeneralSecurityException e) {
                return new SecureRandom();
            }
        });
        private static final ThreadLocal<CtrGenerator> GENERATORS = ThreadLocal.withInitial(CtrGenerator::new);

        private final Cipher aes;
        private final byte[] counterBlocks = new byte[48];
        private final byte[] output = new byte[48];
        private final java.util.function.LongSupplier clock;
        private long counter;
        private long remaining;
        private long keyedAt;

        private CtrGenerator() {
            this(System::currentTimeMillis);
        }

        private CtrGenerator(final java.util.function.LongSupplier clock) {
            this.clock = clock;
            try {
                aes = Cipher.getInstance("AES/ECB/NoPadding");
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("AES/ECB/NoPadding is not available in this JDK", e);
            }
        }

        static void fillFromThisThread(final byte[] salt, final byte[] noncePrefix) {
            GENERATORS.get().fill(salt, noncePrefix);
        }

        void fill(final byte[] salt, final byte[] noncePrefix) {
            if (salt.length + noncePrefix.length > output.length) {
                throw new IllegalArgumentException("at most " + output.length + " random bytes per object");
            }
            final long now = clock.getAsLong();
            if (remaining == 0 || now - keyedAt >= RESTORE_GAP_MILLIS || now < keyedAt) {
                rekey();
                keyedAt = now;
            }
            remaining--;
            for (int block = 0; block < 3; block++) {
                final long c = counter++;
                for (int i = 0; i < 8; i++) {
                    counterBlocks[block * 16 + 8 + i] = (byte) (c >>> (56 - 8 * i));
                }
            }
            try {
                aes.doFinal(counterBlocks, 0, counterBlocks.length, output, 0);
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("AES-CTR generator failed", e);
            }
            System.arraycopy(output, 0, salt, 0, salt.length);
            System.arraycopy(output, salt.length, noncePrefix, 0, noncePrefix.length);
            Arrays.fill(output, (byte) 0);

        }

        /**
         * A generator in a given state, as two copies of a process restored from one snapshot would hold it; only
         * tests build one (the salt must still differ between them, {@link OsEntropy}).
         */
        static CtrGenerator inState(final byte[] key, final byte[] nonce, final long keyedAt,
                                    final java.util.function.LongSupplier clock) {
            final CtrGenerator g = new CtrGenerator(clock);
            g.key(key.clone(), nonce.clone());
            g.keyedAt = keyedAt;
            return g;
        }

        private void rekey() {
            final byte[] key = new byte[32];
            final SecureRandom seed = SEEDS.get();
            seed.nextBytes(key);
            // A random first half of every counter block, so generators of different threads and epochs never align.
            final byte[] nonce = new byte[8];
            seed.nextBytes(nonce);
            // The JDK's DRBG is process state as well: only the kernel tells restored copies apart.
            OsEntropy.mixInto(key, key.length);
            OsEntropy.mixInto(nonce, nonce.length);
            key(key, nonce);
        }

        private void key(final byte[] key, final byte[] nonce) {
            for (int block = 0; block < 3; block++) {
                System.arraycopy(nonce, 0, counterBlocks, block * 16, 8);
            }
            try {
                aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("cannot key the AES-CTR generator", e);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
            counter = 0;
            remaining = OBJECTS_PER_KEY;
        }
    }
}
