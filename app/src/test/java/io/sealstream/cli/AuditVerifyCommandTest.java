package io.sealstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.audit.AuditChain;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.serde.MockSchemaRegistry;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sealstream audit verify} in-process on the shared in-JVM broker, with trails written directly (no pipeline:
 * {@code AuditTrailIT} runs the real one): the exit codes, the report's lines, the usage errors.
 */
class AuditVerifyCommandTest {

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String scope = "audit-verify-" + id;
    private final CliHarness cli = new CliHarness();

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.dropScope(scope);
    }

    private String[] verify(final String topic, final String... more) {
        final List<String> args = new ArrayList<>(List.of("audit", "verify", "--bootstrap-servers",
                SharedKafka.bootstrapServers(), "--registry-url", "mock://" + scope, "--topic", topic));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static AuditEvent event(final int i) {
        return AuditEvent.newBuilder().setAuditId("DECRYPT:" + i).setTime(Instant.ofEpochMilli(1_767_225_600_000L + i))
                .setAction(AuditAction.DECRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("bob")
                .setService("sealstream-cli/test").build();
    }

    /** Writes per partition: a chain of {@code lengths[p]} events, passed through {@code tamper} first. */
    private String trail(final int[] lengths, final java.util.function.BiFunction<Integer, List<AuditEvent>, List<byte[]>> tamper)
            throws Exception {
        final String topic = "verify-" + id + "-" + UUID.randomUUID().toString().substring(0, 4);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, lengths.length, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        final SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                SharedKafka.bootstrapServers(), "enable.idempotence", true), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < lengths.length; p++) {
                final List<AuditEvent> chain = new ArrayList<>();
                byte[] previous = AuditChain.genesisHash();
                for (int i = 0; i < lengths[p]; i++) {
                    final AuditEvent linked = AuditChain.link(event(100 * p + i), i, previous);
                    previous = AuditChain.bytes(linked.getHash());
                    chain.add(linked);
                }
                final List<byte[]> values = tamper == null
                        ? chain.stream().map(e -> serde.serializer().serialize(topic, e)).toList()
                        : tamper.apply(p, chain);
                for (byte[] v : values) {
                    producer.send(new ProducerRecord<>(topic, p, "k".getBytes(StandardCharsets.UTF_8), v));
                }
            }
            producer.flush();
        }
        return topic;
    }

    @Test
    void aCleanTrailOnSeveralPartitionsExitsZeroAndPrintsEachHead() throws Exception {
        final String topic = trail(new int[] {3, 0, 5}, null);
        final CliHarness.Result r = cli.run(verify(topic));
        assertThat(r.exitCode()).as(r.stderr() + r.out()).isZero();
        assertThat(r.stderr()).isEmpty();
        assertThat(r.out())
                .contains("partition 0: 3 records, sequences 0..2, head 0:2:")
                .contains("partition 1: empty")
                .contains("partition 2: 5 records, sequences 0..4, head 2:4:")
                .contains("audit verify: 8 records in 3 partitions: every chain intact -> OK")
                .contains("--expect-head");

        // The printed head is an anchor: passing it back still verifies; a later one (truncated tail) does not.
        final String head = r.out().lines().filter(l -> l.startsWith("partition 2:")).findFirst().orElseThrow()
                .replaceAll(".*head ", "");
        assertThat(cli.run(verify(topic, "--expect-head", head)).exitCode()).isZero();
        final String later = head.replace("2:4:", "2:5:");
        final CliHarness.Result truncated = cli.run(verify(topic, "--expect-head", later));
        assertThat(truncated.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(truncated.out()).contains("GAP partition 2: the anchored head is sequence 5");
    }

    @Test
    void aRemovedAndAnEditedRecordExitThreeWithOneLineEach() throws Exception {
        final SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
        final String topic = trail(new int[] {6, 4}, (p, chain) -> {
            final List<AuditEvent> out = new ArrayList<>(chain);
            if (p == 0) {
                out.remove(2);
            } else {
                out.get(1).setActor("mallory");
            }
            final List<byte[]> values = new ArrayList<>(out.stream().map(e -> serde.serializer().serialize("t", e)).toList());
            if (p == 1) {
                values.add("garbage".getBytes(StandardCharsets.UTF_8));
            }
            return values;
        });
        final CliHarness.Result r = cli.run(verify(topic));
        assertThat(r.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(r.out()).contains("GAP partition 0 offset 2 sequence 3: sequence 2 missing")
                .contains("EDITED partition 1 offset 1 sequence 1: the hash does not recompute")
                .contains("UNREADABLE partition 1 offset 4")
                .contains("audit verify: 10 records in 2 partitions: 3 problems (1 GAP, 1 EDITED, 1 UNREADABLE) -> FAILED");
        assertThat(r.stderr().strip()).isEqualTo("sealstream: audit trail " + topic + " failed verification: 3 problems");
    }

    @Test
    void usageErrorsAndAMissingTopicAreOneLine() {
        final CliHarness.Result noKafka = cli.run("audit", "verify", "--registry-url", "mock://x");
        assertThat(noKafka.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(noKafka.stderr()).contains("bootstrap.servers is not set").hasLineCount(1);

        final CliHarness.Result badHead = cli.run(verify("whatever", "--expect-head", "0:1:nothex"));
        assertThat(badHead.exitCode()).isEqualTo(SealstreamCli.EXIT_USAGE);
        assertThat(badHead.stderr()).contains("--expect-head").hasLineCount(1);

        final CliHarness.Result missing = cli.run(verify("no-such-topic-" + id, "--timeout", "PT10S"));
        assertThat(missing.exitCode()).isEqualTo(SealstreamCli.EXIT_FAILURE);
        assertThat(missing.stderr()).contains("does not exist").hasLineCount(1);
    }
}
