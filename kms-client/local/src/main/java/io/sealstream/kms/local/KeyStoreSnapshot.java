package io.sealstream.kms.local;

import io.sealstream.kms.KeyNotFoundException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/** One immutable view of the key store file; KEKs are decrypted lazily and memoised. */
final class KeyStoreSnapshot {

    static final KeyStoreSnapshot EMPTY = new KeyStoreSnapshot(null, null, Map.of(), new ConcurrentHashMap<>());

    /** Which file contents a snapshot was read from: a rename gives a new file key, writes change mtime/size. */
    record FileStamp(Object fileKey, FileTime modified, long size) {
    }

    /** A decrypted KEK version and its creation time. */
    record LoadedKek(SecretKey key, Instant created) {
    }

    final KeyStore store;
    final FileStamp stamp;
    final Map<String, TreeSet<Integer>> versionsByKey;
    final ConcurrentHashMap<String, LoadedKek> keks;

    KeyStoreSnapshot(final KeyStore store, final FileStamp stamp, final Map<String, TreeSet<Integer>> versionsByKey,
                     final ConcurrentHashMap<String, LoadedKek> keks) {
        this.store = store;
        this.stamp = stamp;
        this.versionsByKey = versionsByKey;
        this.keks = keks;
    }

    Set<Integer> versions(final String keyId) {
        final Set<Integer> versions = versionsByKey.get(keyId);
        return versions != null ? versions : Set.of();
    }

    TreeSet<Integer> requireKey(final String keyId, final Path path) {
        final TreeSet<Integer> versions = versionsByKey.get(keyId);
        if (versions == null || versions.isEmpty()) {
            throw new KeyNotFoundException("KEK '" + keyId + "' not found in local key store " + path);
        }
        return versions;
    }

    /** Drops the memoised KEK of a deleted alias. */
    void forget(final String alias) {
        keks.remove(alias);
    }
}
