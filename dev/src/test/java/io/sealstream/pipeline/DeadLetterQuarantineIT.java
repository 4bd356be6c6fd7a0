package io.sealstream.pipeline;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poison inline upload's payload is plaintext. On the real broker, store and registry: after the pipeline
 * dead-letters it, the marker it carries is in no topic but the uploads topic (every topic of the broker is read,
 * changelogs included) and in no object of the store; {@code dlq list} names the letter, {@code dlq show} releases the
 * original (audited), and {@code dlq replay} with a fixed event gets it encrypted.
 */
class DeadLetterQuarantineIT {

    @TempDir
    Path dir;

    @Test
    void aPoisonUploadsPlaintextRestsNowhereButTheInputAndTheLetterCanBeOpenedAndReplayed() throws Exception {
        final PipelineFixture f = new PipelineFixture(dir);
        final String marker = "QUARANTINE-MARKER-" + UUID.randomUUID();
        final byte[] poisonPayload = (marker + " payroll of 2026").getBytes(StandardCharsets.UTF_8);
        final Path config = writeConfig(f);
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                // Refused for its key ("..") after it was read: the whole event, payload included, is dead-lettered.
                f.send(producer, upload("evt-poison", "acme", "a/../payroll.csv", inline(poisonPayload)));
                f.send(producer, upload("evt-good", "acme", "ok.csv", inline(new byte[] {1, 2, 3})));
                producer.flush();
            }
            awaitObjects(f, 1);

            final Cli list = cli(f, "dlq", "list", "--config", config.toString());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains("INVALID_FIELD").contains("event=evt-poison").contains("sealed=true")
                    .doesNotContain(marker);
            final String source = list.out().lines().filter(l -> l.contains("evt-poison")).findFirst().orElseThrow()
                    .split(" ")[0];

            final List<String> holding = topicsHolding(f, marker.getBytes(StandardCharsets.UTF_8));
            assertThat(holding).as("topics whose records hold the marker").containsExactly(f.topics.uploads());
            assertThat(objectsHolding(store, f.destinationBucket, marker.getBytes(StandardCharsets.UTF_8))).isEmpty();

            final Path shown = dir.resolve("shown.bin");
            final Cli show = cli(f, "dlq", "show", "--config", config.toString(), "--source", source, "--out",
                    shown.toString(), "--actor", "oncall@example");
            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(new String(Files.readAllBytes(shown), StandardCharsets.ISO_8859_1)).contains(marker);

            // The fixed event (a clean key), sent back through the uploads topic with the letter's original headers.
            final Path fixed = dir.resolve("fixed.avro");
            Files.write(fixed, f.serde(io.sealstream.events.ObjectUploaded.class).serializer()
                    .serialize(f.topics.uploads(), upload("evt-poison-fixed", "acme", "payroll.csv", inline(poisonPayload))));
            final Cli replay = cli(f, "dlq", "replay", "--config", config.toString(), "--source", source,
                    "--value-file", fixed.toString(), "--actor", "oncall@example");
            assertThat(replay.exit()).as(replay.err()).isZero();
            assertThat(replay.err()).contains("replayed " + source + " to " + f.topics.uploads());
            final List<ObjectEncrypted> objects = awaitObjects(f, 2);
            assertThat(objects).extracting(ObjectEncrypted::getEventId).contains("evt-poison-fixed");
        }
    }

    private List<ObjectEncrypted> awaitObjects(final PipelineFixture f, final int count) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            final List<ObjectEncrypted> objects = new ArrayList<>();
            for (final byte[] value : records(f, f.topics.objects(), false).values()) {
                objects.add(f.serde(ObjectEncrypted.class).deserializer().deserialize(f.topics.objects(), value));
            }
            if (objects.size() >= count || System.nanoTime() > deadline) {
                assertThat(objects).hasSizeGreaterThanOrEqualTo(count);
                return objects;
            }
            Thread.sleep(250);
        }
    }

    /**
     * Every committed record of {@code topic}, by coordinates: the value, or with {@code everything} the key, value
     * and header values one after the other.
     */
    private static Map<String, byte[]> records(final PipelineFixture f, final String topic, final boolean everything) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.config.get("bootstrap.servers"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final Map<String, byte[]> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final ByteArrayOutputStream all = new ByteArrayOutputStream();
                    if (r.key() != null) {
                        all.writeBytes(r.key());
                    }
                    if (r.value() != null) {
                        all.writeBytes(r.value());
                    }
                    r.headers().forEach(h -> {
                        if (h.value() != null) {
                            all.writeBytes(h.value());
                        }
                    });
                    out.put(r.topic() + "/" + r.partition() + "@" + r.offset(), everything ? all.toByteArray()
                            : r.value() == null ? new byte[0] : r.value());
                }
            }
        }
        return out;
    }

    /** Every topic of this pipeline (changelogs included) with a record whose key, value or headers hold {@code needle}. */
    private static List<String> topicsHolding(final PipelineFixture f, final byte[] needle) throws Exception {
        final Set<String> topics;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", f.config.get("bootstrap.servers")))) {
            topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get();
        }
        final List<String> holding = new ArrayList<>();
        // This pipeline's topics: its inputs and outputs, its lifecycle topics and its state stores' changelogs all
        // carry the fixture's id (the shared broker also holds other tests' topics).
        for (final String topic : new java.util.TreeSet<>(topics)) {
            if (!topic.contains(f.id)) {
                continue;
            }
            if (records(f, topic, true).values().stream().anyMatch(bytes -> indexOf(bytes, needle) >= 0)) {
                holding.add(topic);
            }
        }
        return holding;
    }

    private static List<String> objectsHolding(final ObjectStore store, final String bucket, final byte[] needle)
            throws Exception {
        final List<String> holding = new ArrayList<>();
        for (final String key : store.list(bucket, "", null, 10_000)) {
            try (InputStream in = store.get(new io.sealstream.store.ObjectLocation(bucket, key))) {
                if (indexOf(in.readAllBytes(), needle) >= 0) {
                    holding.add(key);
                }
            }
        }
        return holding;
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private Path writeConfig(final PipelineFixture f) throws Exception {
        final Properties p = new Properties();
        f.config.forEach(p::setProperty);
        final Path file = dir.resolve("sealstream.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "DeadLetterQuarantineIT");
        }
        return file;
    }

    private record Cli(int exit, String out, String err) {
    }

    private static Cli cli(final PipelineFixture f, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = SealstreamCli.execute(args, new SealstreamCli.Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.copyOf(f.env)));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
