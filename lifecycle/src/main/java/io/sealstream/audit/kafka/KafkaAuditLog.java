package io.sealstream.audit.kafka;

import io.sealstream.keys.LifecycleConfigKeys;
import io.sealstream.pipeline.ClientConfigs;

import io.sealstream.audit.AuditChain;
import io.sealstream.audit.AuditLog;
import io.sealstream.events.AuditEvent;
import io.sealstream.pipeline.Topics;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@link AuditLog} for actions outside the pipeline's transactions (CLI commands, shred and rotation jobs): each
 * event goes, unchained, to the audit pending topic, where the pipeline's chainer picks it up and chains it into the
 * audit topic. Never to the audit topic itself: the chain needs one writer per partition.
 *
 * <p>{@link #record} is synchronous: it returns once the broker has the event on all in-sync replicas (idempotent
 * producer, {@code acks=all}) and throws otherwise, within {@code sealstream.audit.send-timeout} (default 30 s), so
 * that a caller can refuse to go on when its action cannot be audited (fail closed).
 *
 * <p>Records are keyed by the object's location when the event has one, else by its audit id, so the events about
 * one object go to one partition in the order they were recorded.
 */
public final class KafkaAuditLog implements AuditLog {

    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, AuditEvent> producer;
    private final SpecificAvroSerde<AuditEvent> serde;
    private final String topic;
    private final Duration timeout;

    /**
     * From the application's settings ({@code SealstreamConfig.load} output): Kafka client keys, the schema registry
     * keys, {@code sealstream.topic.audit[-pending]} and {@code sealstream.audit.send-timeout}.
     *
     * @param clientId names the writer in the broker's logs and quotas, e.g. {@code sealstream-cli-get}
     */
    public static KafkaAuditLog open(final Map<String, String> settings, final String clientId) {
        return new KafkaAuditLog(settings, Topics.fromConfig(settings).auditPending(), clientId,
                LifecycleConfigKeys.AUDIT_SEND_TIMEOUT.get(settings));
    }

    KafkaAuditLog(final Map<String, String> settings, final String topic, final String clientId, final Duration timeout) {
        Objects.requireNonNull(topic, "topic");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sealstream.audit.send-timeout must be positive");
        }
        final Map<String, Object> props = ClientConfigs.producer(settings);
        final int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Every wait the producer may do (metadata, buffer, delivery with retries) ends within the timeout.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        this.serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(settings, false);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serde.serializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    /**
     * Does now what the first {@link #record} would otherwise wait for: the topic's metadata (the idempotent producer
     * asks for its producer id at once by itself) and the event schema's registry id. A tool opening its audit log in
     * the background calls it there, so that its one audit event costs one round trip at the end. Failures are left
     * for {@link #record} to meet and report where the caller can act on them.
     *
     * @return this log
     */
    public KafkaAuditLog prepare() {
        try {
            producer.partitionsFor(topic);
            ((io.sealstream.serde.AvroSerializer<AuditEvent>) serde.serializer()).prepare(topic, AuditEvent.getClassSchema());
        } catch (final RuntimeException e) {
            // record() meets the same problem and reports it
        }
        return this;
    }

    @Override
    public void record(final AuditEvent event) {
        Objects.requireNonNull(event, "event");
        // The chain fields are the chainer's: whatever a caller put there is not passed on.
        final AuditEvent unchained = AuditChain.unchained(event);
        final String key = event.getLocation() != null ? event.getLocation() : event.getAuditId();
        try {
            // send() itself can block up to max.block.ms (metadata, registry) and then get() waits for the ack; the
            // extra second covers the gap between the two clocks.
            producer.send(new ProducerRecord<>(topic, key, unchained))
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException e) {
            throw notRecorded(event, e.getCause());
        } catch (final TimeoutException e) {
            throw new IllegalStateException("audit event " + event.getAuditId() + " was not acknowledged by " + topic
                    + " within " + timeout.toSeconds() + " s; the action must not go on", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording audit event " + event.getAuditId(), e);
        } catch (final RuntimeException e) {
            throw notRecorded(event, e);
        }
    }

    private IllegalStateException notRecorded(final AuditEvent event, final Throwable cause) {
        return new IllegalStateException("audit event " + event.getAuditId() + " could not be recorded to " + topic
                + "; the action must not go on: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }

    /** The topic events are written to (the audit pending topic). */
    @Override
    public java.util.concurrent.CompletableFuture<Void> recordAsync(final AuditEvent event) {
        Objects.requireNonNull(event, "event");
        final AuditEvent unchained = AuditChain.unchained(event);
        final String key = event.getLocation() != null ? event.getLocation() : event.getAuditId();
        final java.util.concurrent.CompletableFuture<Void> durable = new java.util.concurrent.CompletableFuture<>();
        try {
            // acks=all and idempotence (see open): the callback fires once the event is replicated, or with the error.
            producer.send(new ProducerRecord<>(topic, key, unchained), (metadata, error) -> {
                if (error == null) {
                    durable.complete(null);
                } else {
                    durable.completeExceptionally(notRecorded(event, error));
                }
            });
        } catch (final RuntimeException e) {
            durable.completeExceptionally(notRecorded(event, e));
        }
        return durable;
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        try {
            producer.close(timeout);
        } finally {
            serde.close();
        }
    }
}
