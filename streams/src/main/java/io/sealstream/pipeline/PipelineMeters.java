package io.sealstream.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The topology's own meters (docs/OPERATIONS.md, "Metrics"). Names and tags carry no tenant, key or payload: a reason
 * code is the only tag, and its values are the fixed {@link ReasonCode}s.
 *
 * <p>Counted when a record is processed, like Kafka Streams' own metrics: a transaction that aborts afterwards (a
 * crash, a fenced producer) has its records processed and counted again, so under failures the counters can run
 * slightly ahead of what the topics hold. The topics, not the meters, are the record of what happened.
 */
public final class PipelineMeters {

    public static final String ENCRYPTED = "sealstream.uploads.encrypted";
    public static final String REPEATS = "sealstream.uploads.repeats";
    public static final String PLAINTEXT_BYTES = "sealstream.uploads.plaintext.bytes";
    public static final String ENCRYPT_LATENCY = "sealstream.uploads.encrypt.latency";
    public static final String DEAD_LETTERS = "sealstream.dead.letters";
    public static final String AUDIT_CHAINED = "sealstream.audit.chained";
    public static final String AUDIT_CHAIN_LAG = "sealstream.audit.chain.lag";
    public static final String AUDIT_CHECKPOINTS = "sealstream.audit.checkpoints";

    private final MeterRegistry registry;
    private final Counter encrypted;
    private final Counter repeats;
    private final Counter plaintextBytes;
    private final DistributionSummary objectSize;
    private final Timer encryptLatency;
    private final Counter chained;
    private final Timer chainLag;
    private final Counter checkpoints;
    private final ConcurrentMap<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> notifications = new ConcurrentHashMap<>();
    public static final String NOTIFICATIONS = "sealstream.notifications";

    public PipelineMeters(final MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.encrypted = Counter.builder(ENCRYPTED).description("Uploads encrypted and stored (a repeat is not counted)")
                .register(registry);
        this.repeats = Counter.builder(REPEATS)
                .description("Upload events skipped because their event id was already encrypted and committed")
                .register(registry);
        this.plaintextBytes = Counter.builder(PLAINTEXT_BYTES).baseUnit("bytes")
                .description("Plaintext bytes encrypted").register(registry);
        this.objectSize = DistributionSummary.builder("sealstream.uploads.size").baseUnit("bytes")
                .description("Plaintext size of each encrypted upload").register(registry);
        this.encryptLatency = Timer.builder(ENCRYPT_LATENCY)
                .description("Time to encrypt one upload and write its ciphertext, retries included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        this.chained = Counter.builder(AUDIT_CHAINED).description("Audit events linked into the hash chain")
                .register(registry);
        this.chainLag = Timer.builder(AUDIT_CHAIN_LAG)
                .description("From an audit event's write to the pending topic to its chaining")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        this.checkpoints = Counter.builder(AUDIT_CHECKPOINTS).description("Signed audit checkpoints written")
                .register(registry);
    }

    /** Meters nobody reads: for tests and tools that export nothing. */
    public static PipelineMeters unexported() {
        return new PipelineMeters(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void encrypted(final long plaintextSize, final long nanos) {
        encrypted.increment();
        plaintextBytes.increment(plaintextSize);
        objectSize.record(plaintextSize);
        encryptLatency.record(Duration.ofNanos(nanos));
    }

    public void repeatSkipped() {
        repeats.increment();
    }

    /** One dead letter, tagged with its reason code (a fixed set) and the processor that wrote it. */
    public void deadLettered(final String reasonCode, final String processor) {
        deadLetters.computeIfAbsent(reasonCode + '\0' + processor, k -> Counter.builder(DEAD_LETTERS)
                .description("Records dead-lettered, by reason code").tag("reason", reasonCode)
                .tag("processor", processor).register(registry)).increment();
    }

    /** One audit event chained, {@code lagMillis} after it was written to the pending topic. */
    public void auditChained(final long lagMillis) {
        chained.increment();
        chainLag.record(Duration.ofMillis(Math.max(0, lagMillis)));
    }

    /**
     * One S3 event notification record, by what became of it: {@code converted} (an ObjectCreated event that became a
     * staged upload) or {@code ignored} (another kind of event), tagged with the event name's kind (a small set).
     */
    public void notification(final String result, final String kind) {
        notifications.computeIfAbsent(result + '\0' + kind, k -> Counter.builder(NOTIFICATIONS)
                .description("S3 event notification records read, by result and event kind").tag("result", result)
                .tag("kind", kind).register(registry)).increment();
    }

    public void checkpointSigned() {
        checkpoints.increment();
    }
}
