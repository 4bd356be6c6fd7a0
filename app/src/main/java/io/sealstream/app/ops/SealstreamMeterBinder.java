package io.sealstream.app.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheStats;
import io.sealstream.kms.metrics.KmsOperation;
import io.sealstream.kms.metrics.OperationMetrics;
import io.sealstream.kms.stack.KmsClients;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Registers what sealstream keeps in memory as meters read at scrape time: the KMS client stack's calls and latency
 * (provider calls only: cache hits never reach it), the data-key cache's hits, misses and contents, the progress of a
 * re-wrap job this process runs, and the JVM's own. No tag carries a key id, tenant or object.
 */
public final class SealstreamMeterBinder {

    private SealstreamMeterBinder() {
    }

    /** The JVM's meters; close the returned GC binder with the registry (it listens to the GC MXBeans). */
    public static AutoCloseable bindJvm(final MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        final JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return gc;
    }

    /** {@code sealstream.kms.*}: one series per operation (and outcome), the provider's name as a tag. */
    public static void bindKms(final MeterRegistry registry, final CachingKeyManagementService kms) {
        final String provider = kms.providerName();
        // Micrometer holds a function meter's state object weakly: the stack itself (held by the runtime) is that
        // object, so the meters live as long as the stack does.
        for (final KmsOperation operation : KmsOperation.values()) {
            final String op = operation.name().toLowerCase(java.util.Locale.ROOT);
            kmsCounter(registry, kms, operation, "success", OperationMetrics::successes);
            kmsCounter(registry, kms, operation, "transient_failure", OperationMetrics::transientFailures);
            kmsCounter(registry, kms, operation, "permanent_failure", OperationMetrics::permanentFailures);
            FunctionTimer.builder("sealstream.kms.call.time", kms,
                            k -> operationMetrics(k, operation).map(OperationMetrics::calls).orElse(0L),
                            k -> operationMetrics(k, operation).map(OperationMetrics::totalNanos).orElse(0L),
                            TimeUnit.NANOSECONDS)
                    .description("Time spent in KMS provider calls (retries included), by operation")
                    .tags("provider", provider, "operation", op).register(registry);
        }
        cacheCounter(registry, kms, "encrypt", "hit", DataKeyCacheStats::encryptHits);
        cacheCounter(registry, kms, "encrypt", "miss", DataKeyCacheStats::encryptMisses);
        cacheCounter(registry, kms, "unwrap", "hit", DataKeyCacheStats::unwrapHits);
        cacheCounter(registry, kms, "unwrap", "miss", DataKeyCacheStats::unwrapMisses);
        FunctionCounter.builder("sealstream.kms.cache.retired", kms, k -> k.stats().retired())
                .description("Data keys retired from encryption (age, objects or bytes limit, rotation, shredding)")
                .register(registry);
        Gauge.builder("sealstream.kms.cache.active.keys", kms, k -> k.stats().activeDataKeys())
                .description("Data keys currently encrypting (one per KEK and tenant bucket at most)").register(registry);
        Gauge.builder("sealstream.kms.cache.unwrap.entries", kms, k -> k.stats().unwrapEntries())
                .description("Data keys held for decryption").register(registry);
    }

    private static Optional<OperationMetrics> operationMetrics(final CachingKeyManagementService kms,
                                                               final KmsOperation operation) {
        return KmsClients.metrics(kms).map(snapshot -> snapshot.get(operation));
    }

    private static void kmsCounter(final MeterRegistry registry, final CachingKeyManagementService kms,
                                   final KmsOperation operation, final String outcome,
                                   final ToLongFunction<OperationMetrics> value) {
        FunctionCounter.builder("sealstream.kms.calls", kms,
                        k -> operationMetrics(k, operation).map(value::applyAsLong).orElse(0L))
                .description("KMS provider calls, by operation and outcome")
                .tags("provider", kms.providerName(), "operation",
                        operation.name().toLowerCase(java.util.Locale.ROOT), "outcome", outcome)
                .register(registry);
    }

    private static void cacheCounter(final MeterRegistry registry, final CachingKeyManagementService kms,
                                     final String request, final String result,
                                     final ToLongFunction<DataKeyCacheStats> value) {
        FunctionCounter.builder("sealstream.kms.cache.requests", kms, k -> value.applyAsLong(k.stats()))
                .description("Data-key cache requests, by kind (encrypt: a data key to encrypt with; unwrap: a "
                        + "stored one) and result").tags("request", request, "result", result).register(registry);
    }

    /** {@code sealstream.rewrap.*}: the last committed checkpoint of a re-wrap job this process runs. */
    public static void bindRewrap(final MeterRegistry registry, final Supplier<Optional<RewrapJobState>> progress) {
        rewrapGauge(registry, "sealstream.rewrap.running", "1 while this process runs a re-wrap job", progress,
                s -> s.getStatus() == RewrapJobStatus.RUNNING ? 1 : 0);
        rewrapGauge(registry, "sealstream.rewrap.deks.scanned", "Data keys the current or last job scanned", progress,
                RewrapJobState::getDeksScanned);
        rewrapGauge(registry, "sealstream.rewrap.deks.rewrapped", "Data keys it re-wrapped", progress,
                RewrapJobState::getDeksRewrapped);
        rewrapGauge(registry, "sealstream.rewrap.deks.failed", "Data keys it could not re-wrap", progress,
                RewrapJobState::getDeksFailed);
        rewrapGauge(registry, "sealstream.rewrap.objects.scanned", "Objects it scanned (tenant jobs)", progress,
                RewrapJobState::getObjectsScanned);
    }

    private static void rewrapGauge(final MeterRegistry registry, final String name, final String description,
                                    final Supplier<Optional<RewrapJobState>> progress,
                                    final ToDoubleFunction<RewrapJobState> value) {
        // Held strongly: the supplier is a method reference nobody else keeps.
        Gauge.builder(name, progress, p -> p.get().map(value::applyAsDouble).orElse(0.0))
                .description(description).strongReference(true).register(registry);
    }
}
