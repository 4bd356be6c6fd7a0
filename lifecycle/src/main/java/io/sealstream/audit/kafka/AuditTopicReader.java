package io.sealstream.audit.kafka;
import io.sealstream.pipeline.ClientConfigs;

import io.sealstream.audit.AuditTrailVerifier;
import io.sealstream.audit.AuditTrailVerifier.ExpectedHead;
import io.sealstream.events.AuditEvent;
import io.sealstream.serde.IncompatibleSchemaException;
import io.sealstream.serde.MalformedRecordException;
import io.sealstream.serde.SchemaNotFoundException;
import io.sealstream.serde.SchemaRegistryException;
import io.sealstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an audit topic for {@link AuditTrailVerifier}: every partition from its earliest offset up to the end offsets
 * captured when it starts (so a trail that keeps growing still gives an answer), read_committed (the chainer writes
 * in transactions; aborted attempts are not part of the trail), values through the schema registry. A record that
 * does not decode is reported UNREADABLE; a registry or broker that cannot be reached is an error, not a verdict.
 */
public final class AuditTopicReader {

    private AuditTopicReader() {
    }

    /**
     * @param settings     the application's settings: Kafka client keys (bootstrap, security) and registry keys
     * @param topic        the audit topic
     * @param heads        heads anchored outside Kafka, to catch a truncated tail or a rewrite
     * @param stallTimeout how long the read may make no progress before it gives up
     * @throws IllegalStateException if the topic does not exist, Kafka or the registry cannot be reached, or the read
     *                               stalls
     */
    public static AuditTrailVerifier.Report verify(final Map<String, String> settings, final String topic,
                                                   final List<ExpectedHead> heads, final Duration stallTimeout) {
        return verify(settings, topic, new AuditTrailVerifier(topic, heads, false, null), stallTimeout);
    }

    /** The same with a verifier set up by the caller (anchored heads, an accepted unchained prefix); it is used up. */
    public static AuditTrailVerifier.Report verify(final Map<String, String> settings, final String topic,
                                                   final AuditTrailVerifier verifier, final Duration stallTimeout) {
        final Map<String, Object> props = new HashMap<>(ClientConfigs.consumer(settings));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Asking for a topic that does not exist must not create it.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sealstream-audit-verify");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, stallTimeout.toMillis()));
        try (SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            serde.configure(settings, false);
            final List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic);
            } catch (final org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalStateException("cannot reach Kafka at " + settings.get("bootstrap.servers")
                        + " within " + stallTimeout.toSeconds() + " s", e);
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            final List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
            // With read_committed, the end offsets are the last stable offsets: an open transaction is not waited for.
            final Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final Map<TopicPartition, io.sealstream.audit.PartitionCheck> checks = new HashMap<>();
            for (TopicPartition tp : partitions) {
                // A log start above 0 means records were deleted from the front (retention, or deleteRecords).
                checks.put(tp, verifier.partition(tp.partition(), start.get(tp) > 0));
            }
            final List<TopicPartition> open = new ArrayList<>(partitions.stream()
                    .filter(tp -> end.get(tp) > start.get(tp)).toList());
            consumer.assign(open);
            consumer.seekToBeginning(open);
            long lastProgress = System.nanoTime();
            while (!open.isEmpty()) {
                boolean progressed = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue; // written after the start: not part of this verification
                    }
                    progressed = true;
                    read(serde, r, checks.get(tp));
                }
                if (open.removeIf(tp -> consumer.position(tp) >= end.get(tp))) {
                    consumer.assign(open);
                }
                if (progressed) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                    throw new IllegalStateException("reading " + topic + " made no progress for "
                            + stallTimeout.toSeconds() + " s with " + open.size() + " partitions left");
                }
            }
        } catch (final org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.get("bootstrap.servers") + " did not answer within "
                    + stallTimeout.toSeconds() + " s: " + e.getMessage(), e);
        }
        return verifier.report();
    }

    /**
     * Every value of {@code topic} (the signed-checkpoint topic) as UTF-8 text, partition by partition in offset
     * order, read_committed up to the end offsets at start. An absent topic gives no lines (a trail from before
     * checkpoints): the verifier then reports every record as not covered.
     */
    public static List<String> readLines(final Map<String, String> settings, final String topic,
                                         final Duration stallTimeout) {
        final Map<String, Object> props = new HashMap<>(ClientConfigs.consumer(settings));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sealstream-audit-checkpoints");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, stallTimeout.toMillis()));
        final List<String> lines = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                return lines;
            }
            final List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final List<TopicPartition> open = new ArrayList<>(partitions);
            consumer.assign(open);
            consumer.seekToBeginning(open);
            long lastProgress = System.nanoTime();
            while (true) {
                open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
                if (open.isEmpty()) {
                    break;
                }
                consumer.assign(open);
                boolean progressed = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                        lines.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                        progressed = true;
                    }
                }
                if (progressed) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                    throw new IllegalStateException("reading " + topic + " made no progress for "
                            + stallTimeout.toSeconds() + " s");
                }
            }
        } catch (final org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.get("bootstrap.servers") + " did not answer within "
                    + stallTimeout.toSeconds() + " s: " + e.getMessage(), e);
        }
        return lines;
    }

    private static void read(final SpecificAvroSerde<AuditEvent> serde, final ConsumerRecord<byte[], byte[]> r,
                             final io.sealstream.audit.PartitionCheck check) {
        if (r.value() == null) {
            check.unreadable(r.offset(), "the record has no value");
            return;
        }
        final AuditEvent event;
        try {
            event = serde.deserializer().deserialize(r.topic(), r.headers(), r.value());
        } catch (final MalformedRecordException | SchemaNotFoundException | IncompatibleSchemaException e) {
            check.unreadable(r.offset(), oneLine(e));
            return;
        } catch (final SchemaRegistryException e) {
            // Unreachable or refusing us: no verdict can be given, so stop rather than call the trail damaged.
            throw new IllegalStateException("the schema registry could not decode the audit trail: " + oneLine(e), e);
        } catch (final SerializationException | AvroRuntimeException | ClassCastException | IllegalArgumentException e) {
            check.unreadable(r.offset(), oneLine(e));
            return;
        }
        if (event == null) {
            check.unreadable(r.offset(), "the record has no value");
        } else {
            check.record(r.offset(), event);
        }
    }

    private static String oneLine(final Throwable e) {
        final String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("[\\r\\n]+", " ").strip();
    }
}
