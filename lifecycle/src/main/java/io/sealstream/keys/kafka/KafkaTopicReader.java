package io.sealstream.keys.kafka;

import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from where it left off up to the end offsets seen at each call, committed records only, with no
 * consumer group (each reader sees everything). Used for the compacted registry and job topics, which stay small:
 * one entry per DEK or job.
 */
final class KafkaTopicReader<V extends SpecificRecord> implements AutoCloseable {

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaConsumer<String, V> consumer;
    private final String topic;
    private boolean assigned;

    KafkaTopicReader(final Map<String, String> config, final String topic, final Class<V> type, final String clientId) {
        final Map<String, Object> props = ClientConfigs.consumer(config);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // A catch-up wants the broker's answer now, not after it waited (500 ms by default) for more records: with
        // the default, a fetch left in flight by one catch-up held up the next one (a get's second read) by 0.5 s.
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        final SpecificAvroSerde<V> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), serde.deserializer());
        this.topic = topic;
    }

    /** Hands every record written since the last call (up to the current end) to {@code sink}, in offset order per partition. */
    synchronized void catchUp(final BiConsumer<String, V> sink) {
        if (!assigned) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic, CATCH_UP_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            final List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            assigned = true;
        }
        final Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), CATCH_UP_TIMEOUT);
        final long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read topic " + topic + " to its end within "
                        + CATCH_UP_TIMEOUT.toSeconds() + " s");
            }
            for (final ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                sink.accept(record.key(), record.value());
            }
        }
    }

    private boolean reached(final Map<TopicPartition, Long> end) {
        for (final Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), CATCH_UP_TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
