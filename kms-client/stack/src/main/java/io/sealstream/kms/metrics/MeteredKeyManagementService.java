package io.sealstream.kms.metrics;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Counts calls, failures (transient vs permanent) and latency per operation of the wrapped KMS, so operators can see
 * how often the KMS is really called and how it behaves. Placed inside the cache and outside the retries, it counts
 * each logical KMS call once, including the time spent retrying. Only counts are kept: no key ids or key material.
 */
public final class MeteredKeyManagementService implements KeyManagementServiceDecorator {

    /** Upper bounds of the latency histogram buckets; one more bucket counts everything slower. */
    public static final List<Duration> BUCKET_UPPER_BOUNDS = List.of(Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5));

    private static final long[] BOUNDS_NANOS = BUCKET_UPPER_BOUNDS.stream().mapToLong(Duration::toNanos).toArray();

    private final KeyManagementService delegate;
    private final LongSupplier nanoTime;
    private final Map<KmsOperation, Meter> meters = new EnumMap<>(KmsOperation.class);

    public MeteredKeyManagementService(final KeyManagementService delegate) {
        this(delegate, System::nanoTime);
    }

    public MeteredKeyManagementService(final KeyManagementService delegate, final LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        for (final KmsOperation operation : KmsOperation.values()) {
            meters.put(operation, new Meter());
        }
    }

    @Override
    public KeyManagementService delegate() {
        return delegate;
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        return measure(KmsOperation.GENERATE_DATA_KEY, () -> delegate.generateDataKey(kekId, scope));
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        return measure(KmsOperation.UNWRAP, () -> delegate.unwrap(wrapped));
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return measure(KmsOperation.REWRAP, () -> delegate.rewrap(wrapped));
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        return measure(KmsOperation.DESCRIBE_KEY, () -> delegate.describeKey(kekId));
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        return measure(KmsOperation.CREATE_KEY, () -> delegate.createKey(kekId));
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        return measure(KmsOperation.ROTATE_KEY, () -> delegate.rotateKey(kekId));
    }

    @Override
    public List<KeyDescription> listKeys() {
        return measure(KmsOperation.LIST_KEYS, delegate::listKeys);
    }

    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        measure(KmsOperation.DESTROY_KEY_VERSION, () -> {
            delegate.destroyKeyVersion(kekId, version);
            return null;
        });
    }

    @Override
    public void destroyKey(final String kekId) {
        measure(KmsOperation.DESTROY_KEY, () -> {
            delegate.destroyKey(kekId);
            return null;
        });
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        delegate.reportUsage(key, plaintextBytes);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** The counters as of now (each operation's counters are read without a global lock). */
    public KmsMetricsSnapshot snapshot() {
        final Map<KmsOperation, OperationMetrics> operations = new EnumMap<>(KmsOperation.class);
        meters.forEach((operation, meter) -> operations.put(operation, meter.snapshot()));
        return new KmsMetricsSnapshot(delegate.providerName(), operations);
    }

    @Override
    public String toString() {
        return "MeteredKeyManagementService[" + delegate + "]";
    }

    private <T> T measure(final KmsOperation operation, final Supplier<T> call) {
        final Meter meter = meters.get(operation);
        final long start = nanoTime.getAsLong();
        try {
            final T result = call.get();
            meter.record(nanoTime.getAsLong() - start, null);
            return result;
        } catch (final RuntimeException | Error e) {
            meter.record(nanoTime.getAsLong() - start, e);
            throw e;
        }
    }

    private static final class Meter {
        final LongAdder calls = new LongAdder();
        final LongAdder transientFailures = new LongAdder();
        final LongAdder permanentFailures = new LongAdder();
        final LongAdder totalNanos = new LongAdder();
        final AtomicLong maxNanos = new AtomicLong();
        final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];

        Meter() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(final long nanos, final Throwable failure) {
            final long duration = Math.max(0, nanos);
            calls.increment();
            totalNanos.add(duration);
            maxNanos.accumulateAndGet(duration, Math::max);
            int bucket = 0;
            while (bucket < BOUNDS_NANOS.length && duration > BOUNDS_NANOS[bucket]) {
                bucket++;
            }
            buckets[bucket].increment();
            if (failure instanceof KmsException kms && kms.isTransient()) {
                transientFailures.increment();
            } else if (failure != null) {
                permanentFailures.increment();
            }
        }

        OperationMetrics snapshot() {
            final List<Long> histogram = new ArrayList<>(buckets.length);
            for (final LongAdder bucket : buckets) {
                histogram.add(bucket.sum());
            }
            return new OperationMetrics(calls.sum(), transientFailures.sum(), permanentFailures.sum(), totalNanos.sum(),
                    maxNanos.get(), histogram);
        }
    }
}
