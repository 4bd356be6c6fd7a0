package io.sealstream.kms.cache;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.cache.DataKeyCacheListener.RetireReason;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches data keys in front of a KMS so that encrypting and decrypting many objects costs few KMS calls.
 *
 * <p><b>Encryption</b>: one active DEK per KEK id and key scope (tenant bucket) serves {@link #generateDataKey} calls (each caller gets its own
 * {@link DataKey#copy() copy}) until it reaches {@link DataKeyCacheConfig#maxAge() maxAge},
 * {@link DataKeyCacheConfig#maxObjectsPerKey() maxObjectsPerKey} or {@link DataKeyCacheConfig#maxBytesPerKey()
 * maxBytesPerKey} (bytes come from {@link #reportUsage}); then it is retired and zeroised and the next call fetches
 * a new one. The object count is exact under concurrency: a caller whose increment passes the limit fetches a new
 * key instead of using the old one. Concurrent misses for one KEK id make a single KMS call whose result (or
 * failure, which is not cached) all waiters share; different KEK ids never wait for each other.
 *
 * <p><b>Decryption</b>: unwrapped DEKs are kept in a bounded LRU keyed by the whole wrapped key (DEK id, KEK
 * reference and ciphertext, so a tampered header never hits), each for at most
 * {@link DataKeyCacheConfig#unwrapMaxAge() unwrapMaxAge}. Keys from {@link #generateDataKey} are added too, so a
 * process can read back what it just wrote without a KMS call. Misses are single-flight as well.
 *
 * <p>The cache owns its copies and zeroises them when they are retired, evicted or the cache is closed; callers
 * own (and must close) the copies they receive. {@link #rotateKey} retires the active DEK of that KEK so new
 * objects use the new KEK version at once. Other operations pass through.
 */
public final class CachingKeyManagementService implements KeyManagementServiceDecorator {

    private static final Logger LOG = LoggerFactory.getLogger(CachingKeyManagementService.class);

    private final KeyManagementService delegate;
    private final DataKeyCacheConfig config;
    private final Clock clock;
    private final DataKeyCacheListener listener;
    private final long maxAgeMillis;

    /**
     * At most this many active DEKs (one per KEK and tenant bucket in use); past it the oldest is retired early, so a
     * stream naming ever new buckets costs KMS calls but never unbounded memory.
     */
    static final int MAX_ACTIVE_KEYS = 10_000;

    /** Per KEK id and key scope: the flight fetching the active DEK, or its completed result. */
    private final ConcurrentHashMap<ActiveKey.Slot, CompletableFuture<ActiveKey>> active = new ConcurrentHashMap<>();
    /** Active DEKs by DEK id, for {@link #reportUsage}. */
    private final ConcurrentHashMap<String, ActiveKey> activeByDekId = new ConcurrentHashMap<>();
    /** Unfinished fetches whose KEK was rotated meanwhile: their key is retired as soon as it arrives. */
    private final Set<CompletableFuture<ActiveKey>> staleFlights = ConcurrentHashMap.newKeySet();
    /** Unwrapped DEKs: the decryption side. */
    private final UnwrapCache unwraps;

    private final LongAdder encryptHits = new LongAdder();
    private final LongAdder encryptMisses = new LongAdder();
    private final LongAdder kmsCalls = new LongAdder();
    private final LongAdder kmsFailures = new LongAdder();
    private final LongAdder retired = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    public CachingKeyManagementService(final KeyManagementService delegate, final DataKeyCacheConfig config) {
        this(delegate, config, Clock.systemUTC(), DataKeyCacheListener.NONE);
    }

    public CachingKeyManagementService(final KeyManagementService delegate, final DataKeyCacheConfig config,
                                       final Clock clock, final DataKeyCacheListener listener) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.config = config == null ? DataKeyCacheConfig.defaults() : config;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = listener == null ? DataKeyCacheListener.NONE : listener;
        this.maxAgeMillis = this.config.maxAge().toMillis();
        this.unwraps = new UnwrapCache(this.config, clock, this::ensureOpen, this.closed::get);
    }

    @Override
    public KeyManagementService delegate() {
        return delegate;
    }

    public DataKeyCacheConfig config() {
        return config;
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    // ---------------------------------------------------------------- encryption

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        final ActiveKey.Slot slot = new ActiveKey.Slot(Objects.requireNonNull(kekId, "kekId"),
                Objects.requireNonNull(scope, "scope"));
        while (true) {
            ensureOpen();
            CompletableFuture<ActiveKey> flight = active.get(slot);
            boolean fetchedHere = false;
            if (flight == null) {
                final CompletableFuture<ActiveKey> mine = new CompletableFuture<>();
                flight = active.putIfAbsent(slot, mine);
                if (flight == null) {
                    flight = mine;
                    fetchedHere = true;
                    fetchActive(slot, mine);
                }
            }
            final ActiveKey entry = await(flight);
            final RetireReason expired = entry.expiry(clock.millis());
            if (expired != null) {
                retire(entry, expired);
                continue;
            }
            final long objects = entry.objects.incrementAndGet();
            if (objects > config.maxObjectsPerKey()) {
                unlist(entry); // every slot is taken: fetch a new key; the last slot holder retires this one
                continue;
            }
            if (objects == config.maxObjectsPerKey()) {
                unlist(entry); // last slot: new callers must not find this key any more
            }
            final DataKey copy = entry.key.tryCopy();
            if (copy == null) {
                continue; // retired (age, rotation, close) between lookup and copy
            }
            if (!fetchedHere) {
                encryptHits.increment();
            }
            // Destroy only after the last slot's copy is taken, so slot holders never lose their key.
            if (entry.served.incrementAndGet() == config.maxObjectsPerKey()) {
                retire(entry, RetireReason.MAX_OBJECTS);
            }
            return copy;
        }
    }

    private void fetchActive(final ActiveKey.Slot slot, final CompletableFuture<ActiveKey> flight) {
        final DataKey fresh;
        try {
            encryptMisses.increment();
            fresh = call(() -> delegate.generateDataKey(slot.kekId(), slot.scope()));
        } catch (final RuntimeException | Error e) {
            active.remove(slot, flight); // failures are not cached: the next caller tries again
            staleFlights.remove(flight);
            flight.completeExceptionally(e);
            throw e;
        }
        final ActiveKey entry = new ActiveKey(slot, fresh, clock.millis(), flight, maxAgeMillis,
                config.maxBytesPerKey());
        activeByDekId.put(entry.dekId(), entry);
        if (activeByDekId.size() > MAX_ACTIVE_KEYS) {
            retireOldestActive(entry);
        }
        unwraps.put(fresh.wrapped(), new CachedKey(fresh.copy(), entry.key.createdMillis));
        flight.complete(entry);
        notifyCreated(fresh.wrapped());
        if (closed.get()) {
            retire(entry, RetireReason.CLOSED);
            unwraps.clear(); // close() may have swept the unwrap cache before our put above
        } else if (staleFlights.remove(flight)) {
            retire(entry, RetireReason.EVICTED); // the KEK was rotated while we fetched
        }
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        Objects.requireNonNull(key, "key");
        if (plaintextBytes < 0) {
            throw new IllegalArgumentException("plaintextBytes must not be negative");
        }
        final ActiveKey entry = activeByDekId.get(key.dekId());
        if (entry != null && entry.bytes.addAndGet(plaintextBytes) >= config.maxBytesPerKey()) {
            retire(entry, RetireReason.MAX_BYTES);
        }
        delegate.reportUsage(key, plaintextBytes);
    }

    /** Stops new callers from finding {@code entry}; it stays usable for the slots already claimed. */
    private void unlist(final ActiveKey entry) {
        active.remove(entry.slot, entry.flight);
    }

    private void retireOldestActive(final ActiveKey keep) {
        ActiveKey oldest = null;
        for (final ActiveKey candidate : activeByDekId.values()) {
            if (candidate != keep && (oldest == null || candidate.key.createdMillis < oldest.key.createdMillis)) {
                oldest = candidate;
            }
        }
        if (oldest != null) {
            retire(oldest, RetireReason.EVICTED);
        }
    }

    private void retire(final ActiveKey entry, final RetireReason reason) {
        if (!entry.retired.compareAndSet(false, true)) {
            return;
        }
        unlist(entry);
        activeByDekId.remove(entry.dekId(), entry);
        entry.key.destroy();
        retired.increment();
        LOG.debug("retired data key {} ({})", entry.key.wrapped.dekId(), reason);
        try {
            listener.onDataKeyRetired(entry.key.wrapped, reason);
        } catch (final RuntimeException e) {
            LOG.warn("data key cache listener failed on retirement of {}: {}", entry.dekId(), e.toString());
        }
    }

    private void notifyCreated(final WrappedDataKey wrapped) {
        try {
            listener.onDataKeyCreated(wrapped);
        } catch (final RuntimeException e) {
            LOG.warn("data key cache listener failed on creation of {}: {}", wrapped.dekId(), e.toString());
        }
    }

    // ---------------------------------------------------------------- decryption

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        return unwraps.unwrap(wrapped, () -> call(() -> delegate.unwrap(wrapped)));
    }

    /** Drops and zeroises unwrapped keys older than {@link DataKeyCacheConfig#unwrapMaxAge()}; for schedulers. */
    public void cleanUp() {
        final long now = clock.millis();
        unwraps.sweepExpired(now);
        for (final CompletableFuture<ActiveKey> flight : active.values()) {
            final ActiveKey entry = flight.getNow(null);
            if (entry != null) {
                final RetireReason reason = entry.expiry(now);
                if (reason != null) {
                    retire(entry, reason);
                }
            }
        }
    }

    // ---------------------------------------------------------------- pass-through

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return call(() -> delegate.rewrap(wrapped));
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        return call(() -> delegate.describeKey(kekId));
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        return call(() -> delegate.createKey(kekId));
    }

    /** Rotates the KEK and retires its active DEK, so the next object gets a DEK under the new version. */
    @Override
    public KeyDescription rotateKey(final String kekId) {
        final KeyDescription rotated = call(() -> delegate.rotateKey(kekId));
        retireActive(kekId);
        return rotated;
    }

    /**
     * Retires the active DEK of a KEK without rotating it, e.g. when another process rotated the KEK: the next object
     * gets a new DEK, from the KMS's current version.
     */
    public void retireActiveKey(final String kekId) {
        retireActive(kekId);
    }

    /** Retires the active DEKs of a KEK, every scope (or the ones being fetched), so the next object gets a new DEK. */
    private void retireActive(final String kekId) {
        for (final ActiveKey.Slot slot : active.keySet()) {
            if (slot.kekId().equals(kekId)) {
                retireActive(slot);
            }
        }
    }

    private void retireActive(final ActiveKey.Slot slot) {
        final CompletableFuture<ActiveKey> flight = active.remove(slot);
        if (flight != null) {
            staleFlights.add(flight); // an unfinished fetch retires its key when it completes
            final ActiveKey entry = flight.getNow(null);
            if (entry != null) {
                staleFlights.remove(flight);
                retire(entry, RetireReason.EVICTED);
            }
        }
    }

    @Override
    public List<KeyDescription> listKeys() {
        return call(delegate::listKeys);
    }

    /** Destroys the version at the KMS, then forgets every cached key unwrapped under it. */
    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        call(() -> {
            delegate.destroyKeyVersion(kekId, version);
            return null;
        });
        unwraps.forget(w -> w.kek().keyId().equals(kekId) && w.kek().version().equals(version));
    }

    /** Destroys the KEK at the KMS, retires its active DEK and forgets every cached key unwrapped under it. */
    @Override
    public void destroyKey(final String kekId) {
        call(() -> {
            delegate.destroyKey(kekId);
            return null;
        });
        retireActive(kekId);
        unwraps.forget(w -> w.kek().keyId().equals(kekId));
    }

    /**
     * Forgets the cached plaintext of one DEK (after it was shredded), whatever KEK version it was unwrapped under.
     * Active DEKs with that id are retired too, so no new object uses it.
     */
    public void forgetDataKey(final String dekId) {
        final ActiveKey activeEntry = activeByDekId.get(dekId);
        if (activeEntry != null) {
            retire(activeEntry, RetireReason.EVICTED); // this very key, not whichever is active for its KEK now
        }
        unwraps.forget(w -> w.dekId().equals(dekId));
    }

    public DataKeyCacheStats stats() {
        final int unwrapEntries = unwraps.size();
        return new DataKeyCacheStats(encryptHits.sum(), encryptMisses.sum(), unwraps.hits(), unwraps.misses(),
                kmsCalls.sum(), retired.sum(), kmsFailures.sum(), activeByDekId.size(), unwrapEntries);
    }

    /** Retires and zeroises every cached key, then closes the delegate. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (final Map.Entry<ActiveKey.Slot, CompletableFuture<ActiveKey>> flight : active.entrySet()) {
            final ActiveKey entry = flight.getValue().getNow(null);
            if (entry != null) {
                retire(entry, RetireReason.CLOSED);
            }
        }
        for (final ActiveKey entry : activeByDekId.values()) {
            retire(entry, RetireReason.CLOSED);
        }
        unwraps.clear();
        delegate.close();
    }

    @Override
    public String toString() {
        return "CachingKeyManagementService[" + delegate + "]";
    }

    // ---------------------------------------------------------------- helpers

    private <T> T call(final Supplier<T> operation) {
        kmsCalls.increment();
        try {
            return operation.get();
        } catch (final RuntimeException | Error e) {
            kmsFailures.increment();
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("data key cache is closed");
        }
    }

    /** Waits for a flight; its failure is rethrown as is, so every waiter sees the KMS's own exception. */
    static <T> T await(final CompletableFuture<T> flight) {
        try {
            return flight.get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmsUnavailableException("interrupted while waiting for the KMS", e);
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new KmsException("KMS call failed: " + cause, cause);
        }
    }
}
