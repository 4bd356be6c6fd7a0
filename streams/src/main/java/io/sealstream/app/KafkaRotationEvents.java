package io.sealstream.app;

import io.sealstream.events.RotationEvent;
import io.sealstream.pipeline.RotationEvents;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes rotation events to the rotation topic with an idempotent producer, keyed by DEK id. Sends are
 * asynchronous (the cache calls back on a stream thread); failures are logged, and {@link #close()} flushes.
 */
final class KafkaRotationEvents implements RotationEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRotationEvents.class);

    private final KafkaProducer<String, RotationEvent> producer;
    private final String topic;

    KafkaRotationEvents(final Map<String, String> config, final String topic, final String clientId) {
        final Map<String, Object> props = ClientConfigs.producer(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        final SpecificAvroSerde<RotationEvent> serde = new SpecificAvroSerde<>(RotationEvent.class);
        serde.configure(config, false);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serde.serializer());
        this.topic = topic;
    }

    @Override
    public void publish(final RotationEvent event) {
        producer.send(new ProducerRecord<>(topic, event.getDekId(), event), (metadata, error) -> {
            if (error != null) {
                LOG.error("could not publish {} for DEK {}: {}", event.getKind(), event.getDekId(), error.getMessage());
            }
        });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
