package io.sealstream.pipeline;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.app.SealstreamApp;
import io.sealstream.audit.AuditChain;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectStore;
import io.sealstream.testing.ApicurioRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail end to end on the real broker and Apicurio: the pipeline (uploads and poison) and an
 * out-of-pipeline writer ({@link KafkaAuditLog}) both go through the pending topic into one chain per audit
 * partition, {@code sealstream audit verify} passes on it, and fails with exit 3 on copies of it with one record
 * removed (GAP) or one field edited and re-serialised through the registry (EDITED).
 */
class AuditTrailIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private record Cli(int exitCode, String out, String err) {
    }

    private static Cli cli(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SealstreamCli.execute(args, new SealstreamCli.Io(InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void thePipelinesTrailVerifiesAndCopiesWithARemovedOrEditedRecordDoNot() throws Exception {
        assumeTrue(ApicurioRegistry.configured(), "run by failsafe, which provides the registry");
        final PipelineFixture f = new PipelineFixture(dir);
        final Path configFile = dir.resolve("sealstream.properties");
        final Properties props = new Properties();
        props.putAll(f.config);
        try (OutputStream out = Files.newOutputStream(configFile)) {
            props.store(out, "AuditTrailIT");
        }

        final int uploads = 24;
        final int poison = 3;
        final int outOfPipeline = 2;
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                for (int i = 0; i < uploads; i++) {
                    f.send(producer, upload("evt-audit-" + i, i % 2 == 0 ? "acme" : "globex", "doc-" + i,
                            inline(("audit it " + i).getBytes(StandardCharsets.UTF_8))));
                    if (i % 8 == 7) {
                        producer.send(new ProducerRecord<>(f.topics.uploads(), ("poison-" + i).getBytes(StandardCharsets.UTF_8),
                                "not avro".getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            // A CLI command or job records through the same pending topic, outside the pipeline's transactions.
            try (KafkaAuditLog log = KafkaAuditLog.open(f.config, "audit-it")) {
                for (int i = 0; i < outOfPipeline; i++) {
                    log.record(AuditEvent.newBuilder().setAuditId("DECRYPT:audit-it-" + i).setTime(Instant.now())
                            .setAction(AuditAction.DECRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("auditor@acme")
                            .setService("sealstream-cli/audit-it").setTenant("acme").setBucket("it")
                            .setObjectKey("doc-" + i).setLocation("s3://" + f.destinationBucket + "/acme/it/doc-" + i)
                            .build());
                }
            }
            final int total = uploads + poison + outOfPipeline;
            final List<ConsumerRecord<byte[], AuditEvent>> audit = f.readUntil(f.topics.audit(), AuditEvent.class,
                    r -> r.size() >= total, TIMEOUT);
            assertThat(audit).hasSize(total).allSatisfy(r -> assertThat(r.value().getHash()).isNotNull());
            assertThat(audit.stream().filter(r -> r.value().getAction() == AuditAction.DECRYPT)).hasSize(outOfPipeline);
            assertThat(audit.stream().filter(r -> r.value().getOutcome() == AuditOutcome.FAILURE)).hasSize(poison);
            final Map<Integer, List<Long>> sequences = audit.stream().sorted(Comparator.comparingLong(ConsumerRecord::offset))
                    .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.mapping(
                            r -> r.value().getChainSequence(), Collectors.toList())));
            assertThat(sequences.size()).as("records on several audit partitions").isGreaterThan(1);
            sequences.forEach((p, seq) -> assertThat(seq).as("partition " + p).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, seq.size()).boxed().toList()));
        }

        // 1. The pipeline's own trail, on 3 partitions: exit 0, one line per partition.
        final Cli clean = cli("audit", "verify", "--config", configFile.toString());
        System.out.println("AuditTrailIT: audit verify on " + f.topics.audit() + "\n" + clean.out() + clean.err());
        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("audit trail " + f.topics.audit() + ": 3 partitions")
                .contains("partition 0:").contains("partition 1:").contains("partition 2:")
                .contains("audit verify: " + (uploads + poison + outOfPipeline) + " records in 3 partitions: every chain intact -> OK");

        // 2. A copy with one record removed from the middle of the longest partition: GAP, exit 3.
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> raw = readRaw(f, f.topics.audit());
        final int longest = raw.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size()))
                .orElseThrow().getKey();
        assertThat(raw.get(longest).size()).isGreaterThanOrEqualTo(3);
        final String removed = copy(f, raw, "audit-removed-" + f.id, (p, i) -> p == longest && i == 1 ? null : raw.get(p).get(i).value());
        final Cli gap = cli("audit", "verify", "--config", configFile.toString(), "--topic", removed);
        System.out.println("AuditTrailIT: audit verify on a copy with one record removed\n" + gap.out() + gap.err());
        assertThat(gap.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(gap.out()).contains("GAP partition " + longest + " offset 1 sequence 2: sequence 1 missing");
        assertThat(gap.out().lines().filter(l -> l.matches("^(GAP|EDITED|REORDERED|UNCHAINED|DUPLICATE|UNREADABLE) .*")))
                .hasSize(1);
        // A copy is in another topic: each chain's first hash names the topic it was written to, so every partition
        // of the copy also reports REPLAYED (the chain was made for sealstream's own audit topic).
        final long chains = raw.values().stream().filter(records -> !records.isEmpty()).count();
        assertThat(gap.out().lines().filter(l -> l.startsWith("REPLAYED partition "))).hasSize((int) chains);
        assertThat(gap.err()).contains("failed verification: " + (1 + chains) + " problems");

        // 3. A copy with one field edited and re-serialised through the registry: EDITED, exit 3.
        final SpecificAvroSerde<AuditEvent> serde = f.serde(AuditEvent.class);
        final String edited = "audit-edited-" + f.id;
        final String editedTopic = copy(f, raw, edited, (p, i) -> {
            final ConsumerRecord<byte[], byte[]> r = raw.get(p).get(i);
            if (p != longest || i != 2) {
                return r.value();
            }
            final AuditEvent e = serde.deserializer().deserialize(r.topic(), r.headers(), r.value());
            e.setTenant("someone-else");
            return serde.serializer().serialize(edited, e);
        });
        final Cli edit = cli("audit", "verify", "--config", configFile.toString(), "--topic", editedTopic);
        System.out.println("AuditTrailIT: audit verify on a copy with one field edited\n" + edit.out() + edit.err());
        assertThat(edit.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(edit.out()).contains("EDITED partition " + longest + " offset 2 sequence 2: the hash does not recompute");
        assertThat(edit.out().lines().filter(l -> l.matches("^(GAP|EDITED|REORDERED|UNCHAINED|DUPLICATE|UNREADABLE) .*")))
                .hasSize(1);

        // 4. The untouched copy: nothing but the topic differs (not its offsets or schema ids: the encoding ignores
        // them), and that is exactly what it reports, once per partition.
        final String same = copy(f, raw, "audit-copy-" + f.id, (p, i) -> raw.get(p).get(i).value());
        final Cli copied = cli("audit", "verify", "--config", configFile.toString(), "--topic", same);
        assertThat(copied.exitCode()).isEqualTo(SealstreamCli.EXIT_REJECTED);
        assertThat(copied.out().lines().filter(l -> l.matches("^(?!WARNING)[A-Z_]+ partition .*"))).hasSize((int) chains)
                .allSatisfy(l -> assertThat(l).startsWith("REPLAYED").contains("not this partition's genesis"));
        assertThat(AuditChain.DOMAIN).isEqualTo("sealstream-audit-chain-v1");
    }

    /**
     * A crash inside a transaction: the chainer links and forwards some records and moves its head, then its stream
     * thread dies before the commit (a clock that throws once stands in for the crash). Exactly once aborts the
     * output and the head's changelog writes together, the replacement thread restores the head from the changelog
     * and chains the same records again with the same sequences: no gap, no fork, no repeated sequence.
     */
    @Test
    void aStreamThreadDyingMidTransactionLeavesNeitherAGapNorAFork() throws Exception {
        assumeTrue(ApicurioRegistry.configured(), "run by failsafe, which provides the registry");
        final PipelineFixture f = new PipelineFixture(dir);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", f.config.get("bootstrap.servers")))) {
            admin.createTopics(f.topics.all().stream().map(t -> new NewTopic(t, 3, (short) 1)).toList()).all()
                    .get(60, TimeUnit.SECONDS);
        }
        final int events = 12;
        try (KafkaAuditLog log = KafkaAuditLog.open(f.config, "audit-it-crash")) {
            for (int i = 0; i < events; i++) {
                log.record(AuditEvent.newBuilder().setAuditId("DECRYPT:crash-" + i).setTime(Instant.now())
                        .setAction(AuditAction.DECRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("auditor@acme")
                        .setService("sealstream-cli/audit-it").setLocation("s3://b/crash-" + i).build());
            }
        }
        // The chainer reads the clock once per record (its retry deadline); the 8th read throws, once.
        final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean crashed = new java.util.concurrent.atomic.AtomicBoolean();
        final java.time.Clock crashingClock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(final java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                if (reads.incrementAndGet() == 8 && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("simulated crash in the middle of a transaction");
                }
                return Instant.now();
            }
        };
        final Properties streamsProps = new Properties();
        streamsProps.putAll(Map.of("application.id", "it-crash-" + f.id, "bootstrap.servers", f.config.get("bootstrap.servers"),
                "state.dir", dir.resolve("crash-state").toString(), "processing.guarantee", "exactly_once_v2",
                "num.stream.threads", "1",
                // No commit before the crash: everything chained so far is in the one open transaction. The dead
                // thread's transaction is aborted by the broker after its timeout: keep that short.
                "commit.interval.ms", "10000", "producer.transaction.timeout.ms", "10000",
                // Stream threads do not leave the group when they die: the replacement's rebalance waits this long.
                "session.timeout.ms", "6000"));
        final PipelineConfig pipeline = PipelineConfig.fromConfig(f.config);
        try (io.sealstream.kms.local.LocalKeyStoreKms kms = io.sealstream.kms.local.LocalKeyStoreKms.open(f.keystore,
                PipelineFixture.PASSPHRASE.toCharArray());
             ObjectStore store = f.store();
             org.apache.kafka.streams.KafkaStreams streams = new org.apache.kafka.streams.KafkaStreams(
                     SealstreamTopology.build(pipeline, new SealstreamTopology.Components(kms, store, f.config, crashingClock)),
                     streamsProps)) {
            streams.setUncaughtExceptionHandler(e -> org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
                    .StreamThreadExceptionResponse.REPLACE_THREAD);
            streams.start();
            final long t0 = System.nanoTime();
            final List<ConsumerRecord<byte[], AuditEvent>> audit = f.readUntil(f.topics.audit(), AuditEvent.class,
                    r -> r.size() >= events, TIMEOUT);
            System.out.printf("AuditTrailIT: the chained records were committed %.1f s after the start%n",
                    (System.nanoTime() - t0) / 1e9);
            assertThat(crashed).as("the simulated crash happened").isTrue();
            assertThat(audit).hasSize(events);
            final io.sealstream.audit.AuditTrailVerifier.Report report = io.sealstream.audit.kafka.AuditTopicReader.verify(
                    f.config, f.topics.audit(), List.of(), Duration.ofMinutes(1));
            System.out.printf("AuditTrailIT: after a crash mid-transaction: %s; clock reads %d (%d records); audit records"
                    + " in the log including aborted ones: %d%n", report.summary(), reads.get(), events,
                    f.countUncommitted(f.topics.audit()));
            assertThat(report.problems()).isEmpty();
            assertThat(report.records()).isEqualTo(events);
            assertThat(reads.get()).as("records chained again after the abort").isGreaterThan(events);
        }
    }

    /** Every committed record of {@code topic}, per partition in offset order, as raw bytes. */
    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readRaw(final PipelineFixture f, final String topic) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.config.get("bootstrap.servers"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            partitions.forEach(tp -> out.put(tp.partition(), new ArrayList<>()));
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading " + topic).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.get(r.partition()).add(r));
            }
        }
        return out;
    }

    /**
     * Copies {@code raw} into a new topic with the same partition count, record by record into the same partition;
     * {@code value} gives each record's value (null drops it).
     */
    private static String copy(final PipelineFixture f, final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> raw,
                               final String topic, final BiFunction<Integer, Integer, byte[]> value) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", f.config.get("bootstrap.servers")))) {
            admin.createTopics(List.of(new NewTopic(topic, raw.size(), (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : raw.entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                    final byte[] v = value.apply(e.getKey(), i);
                    if (v != null) {
                        producer.send(new ProducerRecord<>(topic, e.getKey(), e.getValue().get(i).key(), v)).get();
                    }
                }
            }
        }
        return topic;
    }
}
