package io.sealstream.audit.kafka;
import io.sealstream.pipeline.ClientConfigs;

import io.sealstream.events.RotationEvent;
import io.sealstream.pipeline.RotationEvents;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes rotation events to the rotation topic with an idempotent producer, keyed by DEK id.
 *
 * <p>At least once while the instance runs: a send that fails (broker or schema registry unreachable) is queued
 * and retried every few seconds, and {@link #close()} makes a last attempt before flushing. {@link #publish} never
 * blocks a stream thread for long ({@code max.block.ms} 5 s). An instance killed with events still queued loses
 * them; every object's ObjectEncrypted and audit event still names its DEK.
 */
public final class KafkaRotationEvents implements RotationEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRotationEvents.class);
    private static final int MAX_PENDING = 10_000;
    private static final long RETRY_SECONDS = 5;

    private final KafkaProducer<String, RotationEvent> producer;
    private final String topic;
    private final Queue<RotationEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final ScheduledExecutorService retrier;

    public KafkaRotationEvents(final Map<String, String> config, final String topic, final String clientId) {
        final Map<String, Object> props = ClientConfigs.producer(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        final SpecificAvroSerde<RotationEvent> serde = new SpecificAvroSerde<>(RotationEvent.class);
        serde.configure(config, false);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serde.serializer());
        this.topic = topic;
        this.retrier = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "sealstream-rotation-retry");
            t.setDaemon(true);
            return t;
        });
        retrier.scheduleWithFixedDelay(this::retryPending, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void publish(final RotationEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.getDekId() != null ? event.getDekId()
                    : event.getKek() != null ? event.getKek().getKeyId() : null, event), (metadata, error) -> {
                if (error != null) {
                    requeue(event, error);
                }
            });
        } catch (final RuntimeException e) {
            requeue(event, e);
        }
    }

    private void requeue(final RotationEvent event, final Throwable error) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            LOG.error("dropping {} for DEK {}: {} rotation events already wait to be published", event.getKind(),
                    event.getDekId(), MAX_PENDING);
            return;
        }
        pending.add(event);
        LOG.warn("could not publish {} for DEK {} yet, will retry: {}", event.getKind(), event.getDekId(),
                error.getMessage());
    }

    private void retryPending() {
        for (int n = pendingCount.get(); n > 0; n--) {
            final RotationEvent event = pending.poll();
            if (event == null) {
                return;
            }
            pendingCount.decrementAndGet();
            publish(event);
        }
    }

    /** Events waiting for a retry (for tests and metrics). */
    int pending() {
        return pendingCount.get();
    }

    @Override
    public void close() {
        retrier.shutdownNow();
        retryPending();
        producer.close(Duration.ofSeconds(30));
        if (pendingCount.get() > 0) {
            LOG.error("{} rotation events could not be published before shutdown", pendingCount.get());
        }
    }
}
