package io.sealstream.kms.customer;

import io.sealstream.kms.ZeroizableKey;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KmsException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer-provided KEKs a running service holds, <b>in memory only</b>: nothing here is ever written anywhere.
 * Each key id may hold several keys (a customer rotating registers a new key under the same id); the newest
 * registered is current and wraps new data keys, older ones still unwrap. Each key is known by its keyed fingerprint
 * ({@link FingerprintKey}), which is its version label. Thread-safe; keys are used under a read lock and zeroed under
 * the write lock, so a key is never zeroed while a wrap or unwrap uses it.
 */
public final class CustomerKeyring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CustomerKeyring.class);
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final String INVALID_KEY_ID = "invalid customer key id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";

    private final FingerprintKey fingerprintKey;
    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Per key id, oldest first. Guarded by {@link #lock}. */
    private final Map<String, List<Loaded>> keys = new TreeMap<>();
    private boolean closed;

    /** One registered key. */
    record Loaded(String keyId, String version, ZeroizableKey key, Instant registered) {
    }

    /** Uses a copy of {@code fingerprintKey}; the caller keeps ownership of its own. */
    public CustomerKeyring(final FingerprintKey fingerprintKey) {
        this(fingerprintKey, Clock.systemUTC());
    }

    CustomerKeyring(final FingerprintKey fingerprintKey, final Clock clock) {
        this.fingerprintKey = Objects.requireNonNull(fingerprintKey, "fingerprintKey").copy();
        this.clock = clock;
    }

    /**
     * Registers {@code key} (32 bytes, AES-256) as the current key of {@code keyId} and returns its version label
     * ({@code fp-...}). The bytes are copied; the caller should zero its array. Registering a key that is already
     * held makes it current again.
     */
    public String register(final String keyId, final byte[] key) {
        requireValidKeyId(keyId);
        Objects.requireNonNull(key, "key");
        if (key.length != DataKey.KEY_BYTES) {
            throw new KmsException("customer key for '" + keyId + "' must be " + DataKey.KEY_BYTES
                    + " bytes (AES-256), got " + key.length);
        }
        lock.writeLock().lock();
        try {
            requireOpen();
            final String version = fingerprintKey.fingerprint(keyId, key);
            final List<Loaded> list = keys.computeIfAbsent(keyId, k -> new ArrayList<>());
            final Optional<Loaded> known = list.stream().filter(l -> l.version.equals(version)).findFirst();
            if (known.isPresent()) {
                list.remove(known.get());
                list.add(known.get());
            } else {
                list.add(new Loaded(keyId, version, new ZeroizableKey(key, "AES"), clock.instant()));
            }
            LOG.info("customer key {}@{} registered (current; {} held for this id)", keyId, version, list.size());
            return version;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Forgets (zeroes) one key of {@code keyId}; true if it was held. */
    public boolean forget(final String keyId, final String version) {
        lock.writeLock().lock();
        try {
            final List<Loaded> list = keys.get(keyId);
            if (list == null) {
                return false;
            }
            for (final Loaded l : list) {
                if (l.version.equals(version)) {
                    list.remove(l);
                    l.key.destroy();
                    if (list.isEmpty()) {
                        keys.remove(keyId);
                    }
                    LOG.info("customer key {}@{} forgotten", keyId, version);
                    return true;
                }
            }
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Forgets (zeroes) every key of {@code keyId}; the number forgotten. */
    public int forgetAll(final String keyId) {
        lock.writeLock().lock();
        try {
            final List<Loaded> list = keys.remove(keyId);
            if (list == null) {
                return 0;
            }
            list.forEach(l -> l.key.destroy());
            LOG.info("customer key id {} forgotten ({} keys)", keyId, list.size());
            return list.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The key ids with at least one key, sorted. */
    public List<String> keyIds() {
        lock.readLock().lock();
        try {
            return List.copyOf(keys.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The version labels held for {@code keyId}, oldest first (the last is current); empty if none. */
    public List<String> versions(final String keyId) {
        lock.readLock().lock();
        try {
            final List<Loaded> list = keys.get(keyId);
            return list == null ? List.of() : list.stream().map(Loaded::version).toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The keys of {@code keyId} oldest first, as a snapshot (callers use the keys only inside {@link #withKeys}). */
    List<Loaded> snapshot(final String keyId) {
        final List<Loaded> list = keys.get(keyId);
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** Runs {@code action} under the read lock, so no key it uses is zeroed meanwhile. */
    <T> T withKeys(final java.util.function.Supplier<T> action) {
        lock.readLock().lock();
        try {
            requireOpen();
            return action.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("customer keyring is closed");
        }
    }

    static void requireValidKeyId(final String keyId) {
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException(INVALID_KEY_ID);
        }
    }

    /** Zeroes every key and the fingerprint key. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            keys.values().forEach(list -> list.forEach(l -> l.key.destroy()));
            keys.clear();
            fingerprintKey.destroy();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        lock.readLock().lock();
        try {
            final StringBuilder out = new StringBuilder("CustomerKeyring[");
            keys.forEach((id, list) -> out.append(id).append('=').append(list.stream().map(Loaded::version).toList()).append(' '));
            return out.toString().trim() + "]";
        } finally {
            lock.readLock().unlock();
        }
    }

}
