package io.sealstream.kms.cache;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.WrappedDataKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The decryption side of {@link CachingKeyManagementService}: a bounded, age-limited LRU of unwrapped data keys with
 * single-flight misses; it zeroises every key it drops.
 */
final class UnwrapCache {

    private final DataKeyCacheConfig config;
    private final Clock clock;
    private final long unwrapMaxAgeMillis;
    /** Throws once the owning cache is closed. */
    private final Runnable ensureOpen;
    /** Whether the owning cache is closed. */
    private final BooleanSupplier closed;

    private final ConcurrentHashMap<WrappedDataKey, CompletableFuture<CachedKey>> unwrapFlights = new ConcurrentHashMap<>();
    /** Access-ordered, so iteration starts at the least recently used entry. Guarded by itself. */
    private final LinkedHashMap<WrappedDataKey, CachedKey> unwrapped = new LinkedHashMap<>(64, 0.75f, true);
    private final LongAdder unwrapHits = new LongAdder();
    private final LongAdder unwrapMisses = new LongAdder();

    UnwrapCache(final DataKeyCacheConfig config, final Clock clock, final Runnable ensureOpen,
                final BooleanSupplier closed) {
        this.config = config;
        this.clock = clock;
        this.unwrapMaxAgeMillis = config.unwrapMaxAge().toMillis();
        this.ensureOpen = ensureOpen;
        this.closed = closed;
    }

    /** A caller-owned copy of the unwrapped key, from the cache or from {@code load} (the KMS), which concurrent misses share. */
    DataKey unwrap(final WrappedDataKey wrapped, final Supplier<DataKey> load) {
        while (true) {
            ensureOpen.run();
            final CachedKey hit = lookup(wrapped);
            if (hit != null) {
                final DataKey copy = hit.tryCopy();
                if (copy != null) {
                    unwrapHits.increment();
                    return copy;
                }
            }
            CompletableFuture<CachedKey> flight = unwrapFlights.get(wrapped);
            if (flight == null) {
                final CompletableFuture<CachedKey> mine = new CompletableFuture<>();
                flight = unwrapFlights.putIfAbsent(wrapped, mine);
                if (flight == null) {
                    return fetch(wrapped, mine, load);
                }
            }
            final DataKey copy = CachingKeyManagementService.await(flight).tryCopy();
            if (copy != null) {
                unwrapHits.increment(); // shared another caller's KMS call
                return copy;
            }
            // evicted between the flight's completion and our copy: look again
        }
    }

    private DataKey fetch(final WrappedDataKey wrapped, final CompletableFuture<CachedKey> flight,
                          final Supplier<DataKey> load) {
        unwrapMisses.increment();
        final DataKey plain;
        try {
            plain = load.get();
        } catch (final RuntimeException | Error e) {
            unwrapFlights.remove(wrapped, flight);
            flight.completeExceptionally(e);
            throw e;
        }
        final DataKey result = plain.copy();
        final CachedKey cached = new CachedKey(plain, clock.millis());
        put(wrapped, cached); // before the flight ends, so later callers find one or the other
        unwrapFlights.remove(wrapped, flight);
        flight.complete(cached);
        if (closed.getAsBoolean()) {
            clear();
        }
        return result;
    }

    private CachedKey lookup(final WrappedDataKey wrapped) {
        final long now = clock.millis();
        synchronized (unwrapped) {
            final CachedKey cached = unwrapped.get(wrapped);
            if (cached == null || !cached.olderThan(unwrapMaxAgeMillis, now)) {
                return cached;
            }
            unwrapped.remove(wrapped);
            cached.destroy();
            return null;
        }
    }

    void put(final WrappedDataKey wrapped, final CachedKey cached) {
        final long now = clock.millis();
        final List<CachedKey> evicted = new ArrayList<>();
        synchronized (unwrapped) {
            final CachedKey previous = unwrapped.put(wrapped, cached);
            if (previous != null && previous != cached) {
                evicted.add(previous);
            }
            // A full sweep is cheap next to the KMS call that preceded every put, and it bounds how long
            // plaintext keys that are never looked up again stay in memory.
            final Iterator<CachedKey> lru = unwrapped.values().iterator();
            int excess = unwrapped.size() - config.maxUnwrapEntries();
            while (lru.hasNext()) {
                final CachedKey candidate = lru.next();
                if (excess > 0 || candidate.olderThan(unwrapMaxAgeMillis, now)) {
                    lru.remove();
                    evicted.add(candidate);
                    excess--;
                }
            }
        }
        evicted.forEach(CachedKey::destroy);
    }

    /** Drops and zeroises unwrapped keys that are at least {@link DataKeyCacheConfig#unwrapMaxAge()} old at {@code now}. */
    void sweepExpired(final long now) {
        final List<CachedKey> expired = new ArrayList<>();
        synchronized (unwrapped) {
            final Iterator<CachedKey> it = unwrapped.values().iterator();
            while (it.hasNext()) {
                final CachedKey candidate = it.next();
                if (candidate.olderThan(unwrapMaxAgeMillis, now)) {
                    it.remove();
                    expired.add(candidate);
                }
            }
        }
        expired.forEach(CachedKey::destroy);
    }

    void clear() {
        final List<CachedKey> all;
        synchronized (unwrapped) {
            all = new ArrayList<>(unwrapped.values());
            unwrapped.clear();
        }
        all.forEach(CachedKey::destroy);
    }

    void forget(final Predicate<WrappedDataKey> which) {
        final List<CachedKey> dropped = new ArrayList<>();
        synchronized (unwrapped) {
            final Iterator<Map.Entry<WrappedDataKey, CachedKey>> it = unwrapped.entrySet().iterator();
            while (it.hasNext()) {
                final Map.Entry<WrappedDataKey, CachedKey> entry = it.next();
                if (which.test(entry.getKey())) {
                    it.remove();
                    dropped.add(entry.getValue());
                }
            }
        }
        dropped.forEach(CachedKey::destroy);
    }

    int size() {
        synchronized (unwrapped) {
            return unwrapped.size();
        }
    }

    long hits() {
        return unwrapHits.sum();
    }

    long misses() {
        return unwrapMisses.sum();
    }
}
