package io.sealstream.kms.cache;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.cache.DataKeyCacheListener.RetireReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The DEK currently encrypting new objects under one KEK id for one key scope, with its usage counters and the limits they are held to. */
final class ActiveKey {

    /** Which generateDataKey calls an active key serves: one KEK id, one key scope. */
    record Slot(String kekId, KeyScope scope) {
    }

    final Slot slot;
    final CachedKey key;
    final CompletableFuture<ActiveKey> flight;
    final AtomicLong objects = new AtomicLong();
    final AtomicLong served = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicBoolean retired = new AtomicBoolean();
    private final long maxAgeMillis;
    private final long maxBytesPerKey;

    ActiveKey(final Slot slot, final DataKey key, final long createdMillis, final CompletableFuture<ActiveKey> flight,
              final long maxAgeMillis, final long maxBytesPerKey) {
        this.slot = slot;
        this.key = new CachedKey(key, createdMillis);
        this.flight = flight;
        this.maxAgeMillis = maxAgeMillis;
        this.maxBytesPerKey = maxBytesPerKey;
    }

    String dekId() {
        return key.wrapped.dekId();
    }

    /** Why this key may not serve another object (age or bytes), or null if it may. */
    RetireReason expiry(final long nowMillis) {
        if (key.olderThan(maxAgeMillis, nowMillis)) {
            return RetireReason.MAX_AGE;
        }
        if (bytes.get() >= maxBytesPerKey) {
            return RetireReason.MAX_BYTES;
        }
        return null;
    }
}
