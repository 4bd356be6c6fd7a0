package io.sealstream.bench;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.security.SecureRandom;
import java.util.Map;
import java.util.SplittableRandom;

/** Inputs shared by every contender, so that all of them encrypt the same bytes under the same context. */
final class BenchFixtures {

    /** The segment size of {@code Preset.DEFAULT}; the raw JDK baseline uses the same split. */
    static final int SEGMENT_BYTES = 64 * 1024;

    static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "bucket", "bench", "object-key", "o/1");

    /** The same pairs for the peers: Tink binds them as associated data, the ESDK as its encryption context. */
    static final Map<String, String> CONTEXT_MAP = CONTEXT.asMap();
    static final byte[] CONTEXT_BYTES = CONTEXT.canonicalEncoding();

    private static final SecureRandom KEYS = new SecureRandom();

    private BenchFixtures() {
    }

    /** Plaintext of {@code size} bytes; seeded so that every fork and run encrypts the same data. */
    static byte[] plaintext(final int size) {
        final byte[] data = new byte[size];
        final SplittableRandom random = new SplittableRandom(0x5ea1_5ea1L + size);
        for (int i = 0; i < size; i += 8) {
            long v = random.nextLong();
            for (int k = i; k < Math.min(size, i + 8); k++, v >>>= 8) {
                data[k] = (byte) v;
            }
        }
        return data;
    }

    static byte[] randomKeyBytes(final int length) {
        final byte[] bytes = new byte[length];
        KEYS.nextBytes(bytes);
        return bytes;
    }

    /**
     * A data key as the KMS would hand it out. The wrapped bytes are random: nothing here unwraps them, and 60 bytes
     * is the size of a real wrapped DEK (nonce, key, tag), so headers have their production length.
     */
    static DataKey newDataKey() {
        return new DataKey(randomKeyBytes(DataKey.KEY_BYTES),
                new WrappedDataKey(DekIds.newDekId(), new KekRef("bench", "kek", "1"), randomKeyBytes(60),
                        CONTEXT.keyScope()));
    }
}
