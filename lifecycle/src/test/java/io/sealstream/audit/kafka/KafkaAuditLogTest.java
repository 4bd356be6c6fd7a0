package io.sealstream.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.serde.MockSchemaRegistry;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.testing.SharedKafka;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The out-of-pipeline audit writer on the shared in-JVM broker: synchronous, unchained, fail closed. */
class KafkaAuditLogTest {

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String scope = "audit-log-test-" + id;

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.dropScope(scope);
    }

    private static AuditEvent event(final String auditId, final String location) {
        return AuditEvent.newBuilder().setAuditId(auditId).setTime(Instant.ofEpochMilli(1_767_225_600_000L))
                .setAction(AuditAction.DECRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("bob@acme")
                .setService("sealstream-cli/test").setLocation(location).build();
    }

    @Test
    void anEventIsOnThePendingTopicUnchainedWhenRecordReturns() {
        final Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", SharedKafka.bootstrapServers());
        settings.put("schema.registry.url", "mock://" + scope);
        settings.put("sealstream.topic.audit", "audit-log-test-" + id);
        createTopic(settings.get("bootstrap.servers"), "audit-log-test-" + id + ".pending");
        final AuditEvent forged = event("DECRYPT:2", null);
        forged.setChainSequence(7L);
        forged.setHash(ByteBuffer.wrap(new byte[32]));
        try (KafkaAuditLog log = KafkaAuditLog.open(settings, "audit-log-test")) {
            assertThat(log.topic()).isEqualTo("audit-log-test-" + id + ".pending");
            log.record(event("DECRYPT:1", "s3://sealstream/acme/docs/a.txt"));
            log.record(forged);
        }
        assertThat(forged.getChainSequence()).as("the caller's object is left alone").isEqualTo(7L);

        final List<ConsumerRecord<String, AuditEvent>> read = readAll(settings, "audit-log-test-" + id + ".pending");
        assertThat(read).hasSize(2);
        assertThat(read.get(0).key()).isEqualTo("s3://sealstream/acme/docs/a.txt");
        assertThat(read.get(1).key()).isEqualTo("DECRYPT:2");
        assertThat(read).allSatisfy(r -> {
            assertThat(r.value().getChainSequence()).isNull();
            assertThat(r.value().getPreviousHash()).isNull();
            assertThat(r.value().getHash()).isNull();
        });
    }

    @Test
    void anUnreachableBrokerFailsTheCallWithinTheTimeout() {
        final Map<String, String> settings = Map.of("bootstrap.servers", "127.0.0.1:" + closedPort(),
                "schema.registry.url", "mock://" + scope, "sealstream.audit.send-timeout", "2s");
        final long t0 = System.nanoTime();
        try (KafkaAuditLog log = KafkaAuditLog.open(settings, "audit-log-test")) {
            assertThatThrownBy(() -> log.record(event("DECRYPT:down", "s3://b/k")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("DECRYPT:down")
                    .hasMessageContaining("must not go on");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    private static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void createTopic(final String bootstrap, final String topic) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short) 1))).all()
                    .get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<ConsumerRecord<String, AuditEvent>> readAll(final Map<String, String> settings, final String topic) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.get("bootstrap.servers"));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(settings, false);
        final List<ConsumerRecord<String, AuditEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
                            serde.deserializer().deserialize(r.topic(), r.headers(), r.value())));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(r -> r.value().getAuditId()));
        return out;
    }
}
