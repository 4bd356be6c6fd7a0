package io.sealstream.kms.cache;

import io.sealstream.kms.WrappedDataKey;

/**
 * Observes the life cycle of the DEKs the cache hands out for encryption, e.g. to emit DEK_CREATED / DEK_RETIRED
 * audit events. Called synchronously on the thread that caused the change; implementations must be fast and must
 * not call back into the cache. Exceptions are logged and ignored. Only wrapped forms are passed: no key material.
 */
public interface DataKeyCacheListener {

    /** Why a DEK stopped being used for new objects. */
    enum RetireReason {
        /** It reached {@link DataKeyCacheConfig#maxAge()}. */
        MAX_AGE,
        /** It served {@link DataKeyCacheConfig#maxObjectsPerKey()} objects. */
        MAX_OBJECTS,
        /** It encrypted {@link DataKeyCacheConfig#maxBytesPerKey()} reported bytes. */
        MAX_BYTES,
        /** It was dropped before reaching a limit, e.g. because its KEK was rotated. */
        EVICTED,
        /** The cache was closed. */
        CLOSED
    }

    /** No-op listener. */
    DataKeyCacheListener NONE = new DataKeyCacheListener() {
    };

    /** A DEK was fetched from the KMS and will now encrypt new objects. */
    default void onDataKeyCreated(final WrappedDataKey key) {
    }

    /** A DEK will not encrypt further objects (it still decrypts the ones it did encrypt). */
    default void onDataKeyRetired(final WrappedDataKey key, final RetireReason reason) {
    }
}
