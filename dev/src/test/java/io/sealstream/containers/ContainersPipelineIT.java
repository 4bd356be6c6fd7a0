package io.sealstream.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The pipeline against the services of {@code docker-compose.yml}, in Docker: Kafka (KRaft), Confluent Schema
 * Registry and MinIO, with the same images. The app runs in-process with the image's configuration file
 * ({@code docker/sealstream.properties}) and the compose file's environment variables pointing at the containers, so
 * this also checks that file. Uploads (inline and staged) go in; {@code ObjectEncrypted} and audit events come out
 * through the Confluent registry; the objects in MinIO decrypt to the originals.
 *
 * <p>Skipped where there is no Docker ({@code disabledWithoutDocker}): the other ITs cover the pipeline on in-JVM
 * services (KRaft test kit, Apicurio Registry, S3Proxy).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersPipelineIT {

    // The images of docker-compose.yml.
    static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:3.9.1");
    static final DockerImageName SCHEMA_REGISTRY_IMAGE = DockerImageName.parse("confluentinc/cp-schema-registry:7.7.1");
    static final DockerImageName MINIO_IMAGE = DockerImageName.parse("minio/minio:RELEASE.2025-04-22T22-12-26Z");

    static final String MINIO_USER = "sealstream-it";
    static final String MINIO_PASSWORD = "sealstream-it-secret";
    static final String PASSPHRASE = "containers-it-passphrase";
    static final String DESTINATION_BUCKET = "sealstream";
    static final String STAGING_BUCKET = "staging";
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    static final Network NETWORK = Network.newNetwork();

    /** KRaft broker; the schema registry reaches it on the network at kafka:19092, the test at the mapped port. */
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(KAFKA_IMAGE)
            .withNetwork(NETWORK)
            .withListener("kafka:19092")
            // One broker, exactly_once_v2: the transaction state log needs replication factor 1 and min ISR 1.
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");

    @Container
    static final GenericContainer<?> SCHEMA_REGISTRY = new GenericContainer<>(SCHEMA_REGISTRY_IMAGE)
            .withNetwork(NETWORK)
            .withNetworkAliases("schema-registry")
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR", "1")
            .withExposedPorts(8081)
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

    @Container
    static final GenericContainer<?> MINIO = new GenericContainer<>(MINIO_IMAGE)
            .withNetwork(NETWORK)
            .withNetworkAliases("minio")
            .withCommand("server", "/data")
            .withEnv("MINIO_ROOT_USER", MINIO_USER)
            .withEnv("MINIO_ROOT_PASSWORD", MINIO_PASSWORD)
            .withExposedPorts(9000)
            .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000).forStatusCode(200));

    @TempDir
    Path dir;

    @AfterAll
    static void closeNetwork() {
        NETWORK.close();
    }

    @Test
    void uploadsLandEncryptedInMinioAndAreAuditedThroughTheConfluentRegistry() throws Exception {
        createBuckets();
        final Map<String, String> env = environment();
        createKek(env);
        final Map<String, String> config = SealstreamConfig.load(containerConfigFile(), env);
        assertThat(config).containsEntry("sealstream.store.type", "s3")
                .containsEntry("sealstream.store.bucket", DESTINATION_BUCKET)
                .containsEntry("sealstream.staging.buckets", STAGING_BUCKET);

        final Map<String, byte[]> expectedSha = new LinkedHashMap<>();
        try (ObjectStore store = ObjectStores.fromConfig(config);
             SealstreamApp app = SealstreamApp.start(config, env)) {
            assertThat(app.awaitRunning(Duration.ofMinutes(2))).as("pipeline RUNNING").isTrue();
            final String uploads = app.pipeline().topics().uploads();

            try (KafkaProducer<byte[], byte[]> producer = producer(config);
                 SpecificAvroSerde<ObjectUploaded> serde = serde(config, ObjectUploaded.class)) {
                final Random random = new Random(42);
                for (int size : new int[] {0, 1000, 100 * 1024}) {
                    final byte[] data = new byte[size];
                    random.nextBytes(data);
                    final String key = "inline-" + size + ".bin";
                    expectedSha.put(key, sha256(data));
                    send(producer, serde, uploads, upload(key, new InlinePayload(ByteBuffer.wrap(data), null)));
                }
                // A staged upload: the plaintext is put into the staging bucket first (3 MiB: many segments).
                final byte[] staged = new byte[3 * 1024 * 1024 + 17];
                random.nextBytes(staged);
                final ObjectLocation staging = new ObjectLocation(STAGING_BUCKET, "acme/staged.bin");
                store.put(staging, Map.of(), out -> out.write(staged));
                expectedSha.put("staged.bin", sha256(staged));
                send(producer, serde, uploads, upload("staged.bin",
                        new StagedPayload(staging.toUri(), (long) staged.length, ByteBuffer.wrap(sha256(staged)), null)));
                producer.flush();
            }
            final int total = expectedSha.size();

            final List<ObjectEncrypted> objects = readCommitted(config, app.pipeline().topics().objects(),
                    ObjectEncrypted.class, total);
            assertThat(objects).extracting(ObjectEncrypted::getObjectKey)
                    .containsExactlyInAnyOrderElementsOf(expectedSha.keySet());

            final EnvelopeEncryption envelope = new EnvelopeEncryption(app.kms());
            for (ObjectEncrypted o : objects) {
                final ObjectLocation where = ObjectLocation.parse(o.getDestination());
                assertThat(where.bucket()).isEqualTo(DESTINATION_BUCKET);
                assertThat(where.key()).isEqualTo("acme/docs/" + o.getObjectKey());
                try (InputStream in = store.get(where)) {
                    assertThat(ByteBuffer.wrap(EnvelopeDecryptor.ciphertextDigest(in))).isEqualTo(o.getCiphertextDigest());
                }
                final ObjectIdentity identity = new ObjectIdentity(o.getTenant(), o.getBucket(), o.getObjectKey());
                try (InputStream plain = envelope.decryptingStream(store.get(where), identity.encryptionContext())) {
                    assertThat(sha256(plain.readAllBytes())).as(o.getObjectKey()).isEqualTo(expectedSha.get(o.getObjectKey()));
                }
                assertThat(o.getKek().getKeyId()).isEqualTo("sealstream-default");
            }

            // one STAGING_DELETED beside the ENCRYPT events: the staged upload's plaintext removed after its commit
            final List<AuditEvent> audit = readCommitted(config, app.pipeline().topics().audit(), AuditEvent.class,
                    total + 1);
            assertThat(audit).filteredOn(a -> a.getAction() == AuditAction.STAGING_DELETED).hasSize(1);
            assertThat(audit).filteredOn(a -> a.getAction() != AuditAction.STAGING_DELETED).hasSize(total).allSatisfy(a -> {
                assertThat(a.getAction()).isEqualTo(AuditAction.ENCRYPT);
                assertThat(a.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
                assertThat(a.getDekId()).isNotBlank();
            });

            // Everything went through the real Confluent registry: the topic-name subjects are registered there.
            assertThat(subjects()).contains(uploads + "-value", app.pipeline().topics().objects() + "-value",
                    app.pipeline().topics().audit() + "-value");
        }
    }

    /** The variables docker-compose.yml gives the app, pointing at the containers' mapped ports. */
    private Map<String, String> environment() {
        final Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", registryUrl());
        env.put("S3_ENDPOINT", minioUrl());
        env.put("S3_ACCESS_KEY", MINIO_USER);
        env.put("S3_SECRET_KEY", MINIO_PASSWORD);
        env.put("S3_BUCKET", DESTINATION_BUCKET);
        env.put(LocalKeyStoreKms.PASSPHRASE_ENV, PASSPHRASE);
        // The image keeps these on its /data volume; here they go to the test's directory.
        env.put(SealstreamConfig.ENV_PREFIX + "SEALSTREAM_KMS_LOCAL_KEYSTORE", dir.resolve("keys.p12").toString());
        env.put(SealstreamConfig.ENV_PREFIX + "STATE_DIR", dir.resolve("state").toString());
        env.put(SealstreamConfig.ENV_PREFIX + "NUM_STREAM_THREADS", "2");
        env.put(SealstreamConfig.ENV_PREFIX + "COMMIT_INTERVAL_MS", "100");
        return env;
    }

    /** What the image's ensure-keys does before the pipeline starts: {@code sealstream keys create}. */
    private void createKek(final Map<String, String> env) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = SealstreamCli.execute(new String[] {"keys", "create", "--keystore",
                        dir.resolve("keys.p12").toString(), "--key-id", "sealstream-default"},
                new SealstreamCli.Io(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), env));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }

    /** docker-compose.yml's minio-init: the destination and the staging bucket. */
    private static void createBuckets() {
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(minioUrl()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MINIO_USER, MINIO_PASSWORD)))
                .build()) {
            s3.createBucket(b -> b.bucket(DESTINATION_BUCKET));
            s3.createBucket(b -> b.bucket(STAGING_BUCKET));
        }
    }

    /** The image's configuration file, docker/sealstream.properties (failsafe runs in streams/). */
    private static Path containerConfigFile() {
        final Path file = Path.of("..", "docker", "sealstream.properties");
        assertThat(Files.isRegularFile(file)).as(file.toAbsolutePath() + " exists").isTrue();
        return file;
    }

    private static String registryUrl() {
        return "http://" + SCHEMA_REGISTRY.getHost() + ":" + SCHEMA_REGISTRY.getMappedPort(8081);
    }

    private static String minioUrl() {
        return "http://" + MINIO.getHost() + ":" + MINIO.getMappedPort(9000);
    }

    private static String subjects() throws Exception {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(registryUrl() + "/subjects")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static ObjectUploaded upload(final String objectKey, final Object payload) {
        return ObjectUploaded.newBuilder().setEventId("evt-" + UUID.randomUUID()).setEventTime(Instant.now())
                .setTenant("acme").setBucket("docs").setObjectKey(objectKey).setUploader("it@acme")
                .setPayload(payload).build();
    }

    /** Keyed by tenant/bucket/objectKey, as producers must. */
    private static void send(final KafkaProducer<byte[], byte[]> producer, final SpecificAvroSerde<ObjectUploaded> serde,
                             final String topic, final ObjectUploaded u) throws Exception {
        final String key = u.getTenant() + "/" + u.getBucket() + "/" + u.getObjectKey();
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                serde.serializer().serialize(topic, u))).get();
    }

    private static KafkaProducer<byte[], byte[]> producer(final Map<String, String> config) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static <T extends SpecificRecord> SpecificAvroSerde<T> serde(final Map<String, String> config, final Class<T> type) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    /**
     * Reads {@code topic} from the beginning with read_committed until {@code count} records arrived (then a little
     * longer, so that a duplicate would show), decoding the values through the registry.
     */
    private static <T extends SpecificRecord> List<T> readCommitted(final Map<String, String> config, final String topic,
                                                                     final Class<T> type, final int count) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<T> out = new ArrayList<>();
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (SpecificAvroSerde<T> serde = serde(config, type);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (out.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + TIMEOUT + " reading " + topic + " with " + out.size()
                            + " of " + count + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(serde.deserializer().deserialize(r.topic(), r.headers(), r.value()));
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                out.add(serde.deserializer().deserialize(r.topic(), r.headers(), r.value()));
            }
        }
        return out;
    }

    private static byte[] sha256(final byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
