package io.sealstream.envelope;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.WrappedDataKey;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory stand-in for a KMS that the format tests use: the format does not care how a DEK was wrapped.
 * The wrapped bytes are random and the resolver maps them back to the key.
 */
final class TestKeys implements DataKeyResolver {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<WrappedDataKey, byte[]> keys = new ConcurrentHashMap<>();

    DataKey newDataKey() {
        return newDataKey(KeyScope.UNSCOPED);
    }

    /** A key bound to {@code scope}; the resolver hands it out only when asked for that scope, like a KMS. */
    DataKey newDataKey(final KeyScope scope) {
        final byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        final byte[] wrappedBytes = new byte[60];
        RANDOM.nextBytes(wrappedBytes);
        return register(key, new WrappedDataKey(DekIds.newDekId(), new KekRef("test", "tenant-kek", "1"), wrappedBytes,
                scope));
    }

    DataKey register(final byte[] key, final WrappedDataKey wrapped) {
        keys.put(wrapped, key.clone());
        return new DataKey(key.clone(), wrapped);
    }

    @Override
    public DataKey resolve(final WrappedDataKey wrapped) {
        final byte[] key = keys.get(wrapped);
        if (key == null) {
            throw new KeyUnwrapException("unknown wrapped key " + wrapped.dekId());
        }
        return new DataKey(key.clone(), wrapped);
    }
}
