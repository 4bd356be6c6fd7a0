package io.sealstream.pipeline;

import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.testing.ApicurioRegistry;
import io.sealstream.testing.S3ProxyServer;
import io.sealstream.testing.SharedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real services the pipeline's integration tests run on: the shared KRaft broker, Apicurio Registry (Confluent
 * API) and S3Proxy, plus a local key store. Each fixture has its own application id, topics and buckets.
 */
final class PipelineFixture {

    static final String PASSPHRASE = "pipeline-it-passphrase";
    static final String DEFAULT_KEK = "it-default";
    static final String ACME_KEK = "it-acme";

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final Topics topics = new Topics("up-" + id, "obj-" + id, "audit-" + id, "rot-" + id, "dlq-" + id);
    final String stagingBucket = "staging-" + id;
    final String destinationBucket = "sealed-" + id;
    final Map<String, String> config = new TreeMap<>();
    final Map<String, String> env = new HashMap<>(Map.of(LocalKeyStoreKms.PASSPHRASE_ENV, PASSPHRASE));
    final Path keystore;
    /** An in-process pipeline whose failure should end a wait at once rather than at its timeout. */
    private volatile io.sealstream.app.SealstreamApp watched;

    /** On the shared in-JVM broker, the shared Apicurio and the shared in-JVM S3Proxy. */
    PipelineFixture(final Path dir) throws IOException {
        this(dir, SharedKafka.bootstrapServers(), ApicurioRegistry.shared().confluentUrl(),
                S3ProxyServer.shared().endpoint().toString(), S3ProxyServer.shared().accessKey(),
                S3ProxyServer.shared().secretKey());
    }

    /** On services started elsewhere, e.g. by {@code sealstream stack up}. */
    PipelineFixture(final Path dir, final String bootstrap, final String registryUrl, final String s3Endpoint,
                    final String s3AccessKey, final String s3SecretKey) throws IOException {
        keystore = dir.resolve("keys.p12");
        try (LocalKeyStoreKms kms = LocalKeyStoreKms.open(keystore, PASSPHRASE.toCharArray())) {
            kms.createKey(DEFAULT_KEK);
            kms.createKey(ACME_KEK);
        }
        try (software.amazon.awssdk.services.s3.S3Client s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(java.net.URI.create(s3Endpoint))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(s3AccessKey, s3SecretKey)))
                .build()) {
            s3.createBucket(b -> b.bucket(stagingBucket));
            s3.createBucket(b -> b.bucket(destinationBucket));
        }
        config.put("bootstrap.servers", bootstrap);
        config.put("schema.registry.url", registryUrl);
        config.put("application.id", "it-" + id);
        config.put("state.dir", dir.resolve("state").toString());
        config.put("num.stream.threads", "2");
        config.put("commit.interval.ms", "100");
        config.put("sealstream.ops.port", "0"); // several instances share the host
        config.put("sealstream.instance-id", "it-" + id);
        config.put("sealstream.topic.uploads", topics.uploads());
        config.put("sealstream.topic.objects", topics.objects());
        config.put("sealstream.topic.audit", topics.audit());
        config.put("sealstream.topic.rotation", topics.rotation());
        config.put("sealstream.topic.dlq", topics.deadLetters());
        config.put("sealstream.topic.deks", "deks-" + id);
        config.put("sealstream.topic.commands", "commands-" + id);
        config.put("sealstream.topic.jobs", "jobs-" + id);
        config.put("sealstream.topic.partitions", "3");
        config.put("sealstream.store.type", "s3");
        config.put("sealstream.store.s3.endpoint", s3Endpoint);
        config.put("sealstream.store.s3.access-key", s3AccessKey);
        config.put("sealstream.store.s3.secret-key", s3SecretKey);
        config.put("sealstream.store.s3.path-style", "true");
        config.put("sealstream.store.bucket", destinationBucket);
        config.put("sealstream.kms.local.keystore", keystore.toString());
        config.put("sealstream.keys.default", DEFAULT_KEK);
        config.put("sealstream.keys.tenant.acme", ACME_KEK);
        config.put("sealstream.inline.max-bytes", "256KiB");
    }

    io.sealstream.app.SealstreamApp watch(final io.sealstream.app.SealstreamApp app) {
        this.watched = app;
        return app;
    }

    ObjectStore store() {
        return io.sealstream.store.ObjectStores.fromConfig(config);
    }

    static ObjectUploaded upload(final String id, final String tenant, final String key, final Object payload) {
        return ObjectUploaded.newBuilder().setEventId(id).setEventTime(Instant.now()).setTenant(tenant)
                .setBucket("it").setObjectKey(key).setUploader("it@" + tenant).setPayload(payload).build();
    }

    static InlinePayload inline(final byte[] data) {
        return new InlinePayload(ByteBuffer.wrap(data), null);
    }

    /**
     * Stages {@code size} generated bytes for tenant acme (under {@code acme/}, as sealstream.staging.tenant-prefix
     * requires) and returns the payload naming them (with their SHA-256, kept under {@code key} in {@code shaByKey}).
     */
    /** Audit records of the pipeline's own ENCRYPT action (the staging cleaner adds STAGING_DELETED ones beside). */
    static long encrypts(final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], io.sealstream.events.AuditEvent>> r) {
        return r.stream().filter(e -> e.value().getAction() == io.sealstream.events.AuditAction.ENCRYPT).count();
    }

    /**
     * Waits until every one of {@code staged} is gone from the staging store and has a STAGING_DELETED audit event:
     * the staging cleaner removed each plaintext after its ciphertext was committed.
     */
    void assertStagedPlaintextRemoved(final ObjectStore store, final java.util.Collection<StagedPayload> staged,
                                      final Duration timeout) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (final StagedPayload p : staged) {
            final ObjectLocation at = ObjectLocation.parse(p.getLocation());
            while (store.head(at).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            org.assertj.core.api.Assertions.assertThat(store.head(at)).as("staged plaintext %s after its commit", at)
                    .isEmpty();
        }
        // The event's message names its staging object ("staging object s3://... deleted ..."): matched whole, so
        // that s3://b/acme/staged-1 is not taken for s3://b/acme/staged-16777217.
        final java.util.Set<String> wanted = new java.util.HashSet<>();
        staged.forEach(p -> wanted.add("staging object " + p.getLocation() + " "));
        final java.util.function.Function<List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[],
                io.sealstream.events.AuditEvent>>, java.util.Set<String>> seen = r -> {
                    final java.util.Set<String> found = new java.util.HashSet<>();
                    for (final var e : r) {
                        if (e.value().getAction() == io.sealstream.events.AuditAction.STAGING_DELETED) {
                            wanted.stream().filter(w -> e.value().getMessage().startsWith(w)).forEach(found::add);
                        }
                    }
                    return found;
                };
        final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], io.sealstream.events.AuditEvent>> audit =
                readUntil(topics.audit(), io.sealstream.events.AuditEvent.class,
                        r -> seen.apply(r).containsAll(wanted), timeout);
        org.assertj.core.api.Assertions.assertThat(seen.apply(audit)).as("a STAGING_DELETED audit event per staged upload")
                .containsExactlyInAnyOrderElementsOf(wanted);
    }

    StagedPayload stage(final ObjectStore store, final String key, final long size, final Map<String, byte[]> shaByKey)
            throws IOException {
        final ObjectLocation at = new ObjectLocation(stagingBucket, "acme/" + key);
        final MessageDigest sha = sha256();
        store.put(at, Map.of(), out -> generate(out, size, key.hashCode(), sha));
        final byte[] digest = sha.digest();
        shaByKey.put(key, digest);
        return new StagedPayload(at.toUri(), size, ByteBuffer.wrap(digest), null);
    }

    /** Cheap pseudo-random bytes, generated while streaming so large objects are never held in memory. */
    static void generate(final OutputStream out, final long size, final long seed, final MessageDigest sha) throws IOException {
        io.sealstream.app.GeneratedContent.write(out, size, seed | 1, sha);
    }

    static byte[] sha256(final InputStream in) throws IOException {
        final MessageDigest sha = sha256();
        final byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
            sha.update(buf, 0, n);
        }
        return sha.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    <T extends SpecificRecord> SpecificAvroSerde<T> serde(final Class<T> type) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    KafkaProducer<byte[], byte[]> producer() {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    void send(final KafkaProducer<byte[], byte[]> producer, final ObjectUploaded u) {
        final String key = u.getTenant() + "/" + u.getBucket() + "/" + u.getObjectKey();
        producer.send(new ProducerRecord<>(topics.uploads(), key.getBytes(StandardCharsets.UTF_8),
                serde(ObjectUploaded.class).serializer().serialize(topics.uploads(), u)));
    }

    /** How many records a topic holds, committed or not (read_uncommitted). */
    long countUncommitted(final String topic) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "counter-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            int emptyPolls = 0;
            while (emptyPolls < 5) {
                final int count = consumer.poll(Duration.ofMillis(500)).count();
                n += count;
                emptyPolls = count == 0 ? emptyPolls + 1 : 0;
            }
        }
        return n;
    }

    /** {@code r} with its value decoded; everything else, headers included, kept. */
    private static <T> ConsumerRecord<byte[], T> decoded(final ConsumerRecord<byte[], byte[]> r, final T value) {
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                r.serializedKeySize(), r.serializedValueSize(), r.key(), value, r.headers(), r.leaderEpoch());
    }

    /**
     * Reads a topic from the beginning with read_committed until {@code done} holds for what was read, or fails after
     * {@code timeout}. Values are decoded through the schema registry.
     */
    <T extends SpecificRecord> List<ConsumerRecord<byte[], T>> readUntil(final String topic, final Class<T> type,
                                                                          final Predicate<List<ConsumerRecord<byte[], T>>> done,
                                                                          final Duration timeout) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final SpecificAvroSerde<T> serde = serde(type);
        final List<ConsumerRecord<byte[], T>> out = new ArrayList<>();
        final long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!done.test(out)) {
                final io.sealstream.app.SealstreamApp app = watched;
                if (app != null && (app.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR
                        || app.state() == org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR
                        || app.state() == org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING)) {
                    throw new AssertionError("the pipeline stopped (" + app.state() + ") while reading " + topic
                            + " with " + out.size() + " records; see the test output for its error");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + timeout + " reading " + topic + " with " + out.size()
                            + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(decoded(r, serde.deserializer().deserialize(r.topic(), r.headers(), r.value())));
                }
            }
            // Anything committed right behind what we waited for (a duplicate would show up here).
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                out.add(decoded(r, serde.deserializer().deserialize(r.topic(), r.headers(), r.value())));
            }
        }
        return out;
    }
}
