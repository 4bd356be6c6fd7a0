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
                byte[] previous = AuditChain.genesisHash(topic, p);
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

        // The same verdict for scripts: one JSON object, every problem with its kind and position, same exit code.
        final CliHarness.Result json = cli.run(verify(topic, "--json"));
        assertThat(json.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        final com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.out());
        assertThat(report.get("clean").asBoolean()).isFalse();
        assertThat(report.get("records").asLong()).isEqualTo(10);
        assertThat(report.get("partitions")).hasSize(2);
        assertThat(report.get("problems").findValuesAsText("kind")).containsExactly("GAP", "EDITED", "UNREADABLE");
        assertThat(report.get("problems").get(0).get("sequence").asLong()).isEqualTo(3);
        assertThat(json.out().strip()).doesNotContain("\n");
    }

    /**
     * Issue 12, section 2, on the real broker: a producer to the audit topic appends a forgery linked to the head,
     * replays one partition's records into another, or (with delete rights) truncates the tail or rewrites the chain
     * with every hash recomputed. The hash chain alone accepted the first, third and fourth; with the chainer's signed
     * checkpoints and its public key each is reported, and the untouched trail still verifies.
     */
    @Test
    void signedCheckpointsExposeAnAppendAReplayATruncationAndARewrite(@org.junit.jupiter.api.io.TempDir
                                                                      final java.nio.file.Path dir) throws Exception {
        final java.security.KeyPair chainer = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final java.nio.file.Path pem = dir.resolve("audit.pub");
        java.nio.file.Files.writeString(pem, "# test key\n" + PublicKeyFiles.pem(chainer.getPublic()));
        final SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);

        final Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("untouched", null);
        expected.put("appended", "APPENDED partition 0 sequence 6: sequence 6 (1 record) after the last signed checkpoint (sequence 5)");
        expected.put("replayed", "REPLAYED partition 1");
        expected.put("truncated", "GAP partition 0: the anchored head is sequence 5 but the trail ends at sequence 3");
        expected.put("rewritten", "EDITED partition 0 sequence 5: sequence 5 does not match the anchored head");
        for (final Map.Entry<String, String> attack : expected.entrySet()) {
            final String topic = "signed-" + attack.getKey() + "-" + id;
            final Map<Integer, List<AuditEvent>> genuine = new java.util.TreeMap<>();
            for (int p = 0; p < 2; p++) {
                genuine.put(p, chain(topic, p, p == 0 ? 6 : 4, "genuine"));
            }
            final Map<Integer, List<AuditEvent>> stored = new java.util.TreeMap<>(genuine);
            switch (attack.getKey()) {
                case "appended" -> {
                    final List<AuditEvent> more = new ArrayList<>(genuine.get(0));
                    more.add(AuditChain.link(event(666), 6, AuditChain.bytes(more.get(5).getHash())));
                    stored.put(0, more);
                }
                case "replayed" -> {
                    final List<AuditEvent> more = new ArrayList<>(genuine.get(1));
                    more.addAll(genuine.get(0));
                    stored.put(1, more);
                }
                case "truncated" -> stored.put(0, genuine.get(0).subList(0, 4));
                case "rewritten" -> {
                    final List<AuditEvent> rewritten = new ArrayList<>(genuine.get(0).subList(0, 3));
                    rewritten.addAll(chainFrom(rewritten.get(2), 3, 3, "rewritten"));
                    stored.put(0, rewritten);
                }
                default -> { }
            }
            produce(topic, stored, serde);
            final java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
            final List<String> checkpoints = new ArrayList<>();
            for (final var head : List.of(Map.entry(0, 2), Map.entry(0, 5), Map.entry(1, 3))) {
                final byte[] hash = AuditChain.bytes(genuine.get(head.getKey()).get(head.getValue()).getHash());
                final Instant time = Instant.parse("2026-12-06T12:00:00Z");
                signer.initSign(chainer.getPrivate());
                signer.update(io.sealstream.audit.AuditCheckpoint.signedBytes(topic, head.getKey(), head.getValue(),
                        hash, time, "local:audit@1", "Ed25519"));
                checkpoints.add(new io.sealstream.audit.AuditCheckpoint(topic, head.getKey(), head.getValue(), hash,
                        time, "local:audit@1", "Ed25519", signer.sign()).toLine());
            }
            produceLines(topic + ".checkpoints", checkpoints);

            assertThat(cli.run(verify(topic)).exitCode()).as("%s: what the chain alone says", attack.getKey())
                    .isEqualTo(attack.getKey().equals("replayed") ? SealstreamCli.EXIT_REJECTED : 0);
            final java.nio.file.Path export = dir.resolve(attack.getKey() + ".checkpoints");
            final CliHarness.Result r = cli.run(verify(topic, "--public-key", pem.toString(), "--export-checkpoints",
                    export.toString()));
            if (attack.getValue() == null) {
                assertThat(r.exitCode()).as(r.out()).isZero();
                assertThat(r.out()).contains("every chain intact -> OK").doesNotContain("checkpoints not checked");
                // the export is the archive: verifying against it alone gives the same answer
                assertThat(java.nio.file.Files.readAllLines(export)).containsExactlyElementsOf(checkpoints);
                assertThat(cli.run(verify(topic, "--public-key", pem.toString(), "--checkpoints", export.toString()))
                        .exitCode()).isZero();
            } else {
                assertThat(r.exitCode()).as(r.out()).isEqualTo(SealstreamCli.EXIT_REJECTED);
                assertThat(r.out()).as(attack.getKey()).contains(attack.getValue());
            }
        }
        serde.close();
    }

    /**
     * {@code --signing-key}: the trusted public keys are every version of a KMS signing key, read from the KMS the
     * configuration names (here the local key store, rotated once between two checkpoints).
     */
    @Test
    void theTrustedKeysCanBeEveryVersionOfAKmsSigningKey(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
            throws Exception {
        final String topic = "kms-signed-" + id;
        final java.nio.file.Path keystore = dir.resolve("keys.p12");
        final SpecificAvroSerde<AuditEvent> serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
        final Map<Integer, List<AuditEvent>> trail = Map.of(0, chain(topic, 0, 4, "kms"));
        produce(topic, trail, serde);
        final List<String> lines = new ArrayList<>();
        try (io.sealstream.kms.local.LocalKeyStoreKms kms = io.sealstream.kms.local.LocalKeyStoreKms.open(keystore,
                "verify-pass".toCharArray())) {
            kms.createSigningKey("audit-key");
            kms.createKey("other-key");
            for (final int sequence : new int[] {1, 3}) {
                final io.sealstream.kms.KekRef key = kms.currentSigningKey("audit-key");
                final byte[] hash = AuditChain.bytes(trail.get(0).get(sequence).getHash());
                final Instant time = Instant.parse("2026-12-06T12:00:00Z");
                lines.add(new io.sealstream.audit.AuditCheckpoint(topic, 0, sequence, hash, time, key.toString(),
                        "Ed25519", kms.sign(key, io.sealstream.audit.AuditCheckpoint.signedBytes(topic, 0, sequence, hash,
                        time, key.toString(), "Ed25519"))).toLine());
                kms.rotateKey("audit-key");
            }
        }
        produceLines(topic + ".checkpoints", lines);
        final java.nio.file.Path config = dir.resolve("verify.properties");
        java.nio.file.Files.writeString(config, "sealstream.kms.local.keystore=" + keystore + "\n");
        final CliHarness withKms = new CliHarness().withPassphrase("verify-pass");

        final CliHarness.Result ok = withKms.run(verify(topic, "--config", config.toString(), "--signing-key", "audit-key"));
        assertThat(ok.exitCode()).as(ok.stderr() + ok.out()).isZero();
        final CliHarness.Result wrongKey = withKms.run(verify(topic, "--config", config.toString(), "--signing-key",
                "other-key"));
        assertThat(wrongKey.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(wrongKey.out()).contains("BAD_CHECKPOINT", "APPENDED partition 0 sequence 0");
        serde.close();
    }

    /** {@code n} records chained as the chainer chains {@code topic}'s partition {@code partition}. */
    private static List<AuditEvent> chain(final String topic, final int partition, final int n, final String label) {
        final List<AuditEvent> out = new ArrayList<>();
        byte[] previous = AuditChain.genesisHash(topic, partition);
        for (int i = 0; i < n; i++) {
            final AuditEvent linked = AuditChain.link(event(100 * partition + i + (label.hashCode() & 0xffff) * 1000),
                    i, previous);
            previous = AuditChain.bytes(linked.getHash());
            out.add(linked);
        }
        return out;
    }

    /** {@code n} new records linked after {@code predecessor}, from sequence {@code from}: a recomputed chain. */
    private static List<AuditEvent> chainFrom(final AuditEvent predecessor, final long from, final int n,
                                              final String label) {
        final List<AuditEvent> out = new ArrayList<>();
        byte[] previous = AuditChain.bytes(predecessor.getHash());
        for (int i = 0; i < n; i++) {
            final AuditEvent linked = AuditChain.link(event(9000 + i + label.length()), from + i, previous);
            previous = AuditChain.bytes(linked.getHash());
            out.add(linked);
        }
        return out;
    }

    private void produce(final String topic, final Map<Integer, List<AuditEvent>> partitions,
                         final SpecificAvroSerde<AuditEvent> serde) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions.size(), (short) 1),
                    new NewTopic(topic + ".checkpoints", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                SharedKafka.bootstrapServers(), "enable.idempotence", true), new ByteArraySerializer(), new ByteArraySerializer())) {
            partitions.forEach((p, events) -> events.forEach(e -> producer.send(new ProducerRecord<>(topic, p,
                    "k".getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, e)))));
            producer.flush();
        }
    }

    private static void produceLines(final String topic, final List<String> lines) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                SharedKafka.bootstrapServers(), "enable.idempotence", true), new ByteArraySerializer(), new ByteArraySerializer())) {
            lines.forEach(l -> producer.send(new ProducerRecord<>(topic, 0, null, l.getBytes(StandardCharsets.UTF_8))));
            producer.flush();
        }
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
