package io.sealstream.kms.cache;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.WrappedDataKey;
import java.util.concurrent.locks.StampedLock;

/** A cache-owned data key; copying and zeroising exclude each other so no caller gets half-zeroed bytes. */
final class CachedKey {

    final DataKey key;
    final WrappedDataKey wrapped;
    final long createdMillis;
    private final StampedLock lock = new StampedLock();

    CachedKey(final DataKey key, final long createdMillis) {
        this.key = key;
        this.wrapped = key.wrapped();
        this.createdMillis = createdMillis;
    }

    /** A caller-owned copy, or null once destroyed. */
    DataKey tryCopy() {
        final long stamp = lock.readLock();
        try {
            return key.isDestroyed() ? null : key.copy();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    void destroy() {
        final long stamp = lock.writeLock();
        try {
            key.destroy();
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    boolean olderThan(final long maxAgeMillis, final long nowMillis) {
        return nowMillis - createdMillis >= maxAgeMillis;
    }
}
