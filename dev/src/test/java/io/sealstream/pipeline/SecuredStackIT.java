package io.sealstream.pipeline;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.app.SealstreamApp;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.keys.KeyTopics;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.StackEnv;
import io.sealstream.stack.StackTls;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sealstream stack up --tls}: every hop secured with the stack's own CA (certificates made with Bouncy Castle).
 * Kafka takes clients on SASL_SSL with SCRAM-SHA-512 and on mutual TLS; the registry and S3Proxy answer on https only.
 * With nothing but what stack.env gives clients, the pipeline runs, {@code get} decrypts through the audited read path
 * and {@code audit verify} checks the trail. Each auth mode is also shown refusing a client without the right
 * credentials.
 */
class SecuredStackIT {

    @TempDir
    Path dir;
    private Path stack;

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            LocalStack.down(stack, Duration.ofSeconds(20));
        }
    }

    @Test
    void thePipelineGetAndAuditVerifyRunWithEveryHopSecured() throws Exception {
        stack = dir.resolve("stack");
        final List<String> topics = new ArrayList<>(Topics.defaults().all());
        topics.addAll(KeyTopics.defaults().all());
        final StackEnv env = LocalStack.up(LocalStack.Options.defaults(stack, LocalStack.defaultArtifacts(), topics,
                java.util.Set.copyOf(KeyTopics.defaults().compacted())).secured(), System.out);
        final StackTls tls = StackTls.createOrLoad(stack);
        assertThat(env.kafkaBootstrapServers()).startsWith("127.0.0.1:");
        assertThat(env.schemaRegistryUrl()).startsWith("https://");
        assertThat(env.s3Endpoint()).startsWith("https://");
        assertThat(Files.readString(stack.resolve(StackEnv.FILE))).as("stack.env names the password file, not the password")
                .doesNotContain(tls.kafkaPassword()).contains("SEALSTREAM_CONFIG_SASL_JAAS_CONFIG_FILE=");

        refusesClientsWithoutTheRightCredentials(env, tls);

        // The application's configuration: config/stack.properties' keys, the stack's client settings from stack.env.
        final Path keystore = dir.resolve("keys.p12");
        try (LocalKeyStoreKms kms = LocalKeyStoreKms.open(keystore, PipelineFixture.PASSPHRASE.toCharArray())) {
            kms.createKey("sealstream-default");
        }
        final Path configFile = dir.resolve("app.properties");
        final Properties props = new Properties();
        props.putAll(Map.of("application.id", "secured-it", "state.dir", dir.resolve("state").toString(),
                "sealstream.kms.local.keystore", keystore.toString(), "sealstream.keys.default", "sealstream-default",
                "sealstream.store.s3.path-style", "true", "sealstream.staging.buckets", "staging",
                "sealstream.ops.port", "0", "sealstream.audit.checkpoint-interval", "PT1S",
                "commit.interval.ms", "100", "num.stream.threads", "1"));
        try (var out = Files.newOutputStream(configFile)) {
            props.store(out, "SecuredStackIT");
        }
        final Map<String, String> processEnv = new HashMap<>(env.asMap());
        processEnv.put(LocalKeyStoreKms.PASSPHRASE_ENV, PipelineFixture.PASSPHRASE);
        final Map<String, String> config = SealstreamConfig.load(configFile, processEnv);
        assertThat(config).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");

        final String destination;
        try (SealstreamApp app = SealstreamApp.start(config, processEnv); ObjectStore store = ObjectStores.fromConfig(config)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            // Producers on SASL_SSL, a staged object in S3 over https, the value serialised through the https registry.
            final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
            serde.configure(config, false);
            final byte[] small = "secured all the way\n".getBytes(StandardCharsets.UTF_8);
            final Map<String, byte[]> sha = new HashMap<>();
            final ObjectLocation staged = new ObjectLocation("staging", "acme/secured-big.bin");
            final byte[] big = new byte[3 << 20];
            new Random(5).nextBytes(big);
            store.put(staged, Map.of(), out -> out.write(big));
            final Map<String, Object> producerProps = new HashMap<>(ClientConfigs.producer(config));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (final ObjectUploaded u : List.of(upload("sec-small", "acme", "small.txt", inline(small)),
                        upload("sec-big", "acme", "big.bin", new io.sealstream.events.StagedPayload(staged.toUri(),
                                (long) big.length, java.nio.ByteBuffer.wrap(PipelineFixture.sha256().digest(big)), null)))) {
                    producer.send(new ProducerRecord<>(Topics.UPLOADS, ("acme/it/" + u.getObjectKey()).getBytes(
                            StandardCharsets.UTF_8), serde.serializer().serialize(Topics.UPLOADS, u))).get(30, TimeUnit.SECONDS);
                }
            }
            final List<ObjectEncrypted> objects = readObjects(config, 2);
            assertThat(objects).extracting(ObjectEncrypted::getEventId).containsExactlyInAnyOrder("sec-small", "sec-big");
            destination = objects.stream().filter(o -> o.getEventId().equals("sec-big")).findFirst().orElseThrow()
                    .getDestination();
            sha.put("big", PipelineFixture.sha256().digest(big));

            // sealstream get, as a user runs it with the stack's env file: decrypted, audited.
            final Path out = dir.resolve("big.out");
            final Cli get = cli(processEnv, "get", destination, "--config", configFile.toString(), "--env-file",
                    stack.resolve(StackEnv.FILE).toString(), "--out", out.toString());
            assertThat(get.exit).as(get.err).isZero();
            assertThat(PipelineFixture.sha256().digest(Files.readAllBytes(out))).isEqualTo(sha.get("big"));

            // sealstream audit verify over SASL_SSL: the chain and the signed checkpoints, from the KMS's signing key.
            // The get's DECRYPT event is chained, then signed within the checkpoint interval (1 s here).
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Cli verify;
            do {
                Thread.sleep(1000);
                verify = cli(processEnv, "audit", "verify", "--config", configFile.toString(), "--env-file",
                        stack.resolve(StackEnv.FILE).toString(), "--signing-key", "sealstream-default");
            } while ((verify.exit != 0 || !(verify.out + verify.err).contains("4 records"))
                    && System.nanoTime() < deadline);
            assertThat(verify.exit).as(verify.out + verify.err).isZero();
            // 2 ENCRYPT, 1 DECRYPT, and 1 STAGING_DELETED: the staged plaintext removed after its commit, over https
            assertThat(verify.out + verify.err).contains("OK").contains("4 records");
            assertThat(store.head(staged)).as("the staged plaintext after its commit").isEmpty();
        }
    }

    /** Each listener and service turns away a client that lacks what it requires. */
    private void refusesClientsWithoutTheRightCredentials(final StackEnv env, final StackTls tls) throws Exception {
        // Kafka, mutual TLS: the client certificate opens it; without one the handshake fails.
        final String mtls = env.clientSettings().get("KAFKA_MTLS_BOOTSTRAP_SERVERS");
        assertThat(clusterAnswers(mtls, tls.mtlsClient())).isTrue();
        final Map<String, Object> noCertificate = new HashMap<>(tls.mtlsClient());
        noCertificate.keySet().removeIf(k -> k.startsWith("ssl.key"));
        assertThat(clusterAnswers(mtls, noCertificate)).as("mTLS listener without a client certificate").isFalse();
        // Kafka, SASL_SSL with SCRAM-SHA-512: the user's password opens it; a wrong one, or plaintext, does not.
        final Map<String, Object> scram = new HashMap<>(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", tls.caPem().toString(),
                "sasl.jaas.config", Files.readString(stack.resolve("tls/kafka-jaas"))));
        assertThat(clusterAnswers(env.kafkaBootstrapServers(), scram)).isTrue();
        scram.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"sealstream\" password=\"wrong\";");
        assertThat(clusterAnswers(env.kafkaBootstrapServers(), scram)).as("a wrong SCRAM password").isFalse();
        assertThat(clusterAnswers(env.kafkaBootstrapServers(), Map.of())).as("plaintext").isFalse();
        // The registry and S3: https only, with the stack's CA; the JVM's default trust refuses them.
        for (final String url : List.of(env.schemaRegistryUrl() + "/subjects", env.s3Endpoint() + "/")) {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()))
                    .as(url + " with the JVM's default trust").isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            final int status = HttpClient.newBuilder().sslContext(tls.sslContext()).build()
                    .send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).as(url).isIn(200, 403); // S3: 403 without a signature
        }
    }

    private static boolean clusterAnswers(final String bootstrap, final Map<String, Object> security) {
        final Map<String, Object> config = new HashMap<>(security);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster().nodes().get(8, TimeUnit.SECONDS).isEmpty();
        } catch (final Exception e) {
            return false;
        }
    }

    private static List<ObjectEncrypted> readObjects(final Map<String, String> config, final int count)
            throws Exception {
        final Map<String, Object> props = new HashMap<>(ClientConfigs.consumer(config));
        props.put("group.id", "secured-reader-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        final SpecificAvroSerde<ObjectEncrypted> serde = new SpecificAvroSerde<>(ObjectEncrypted.class);
        serde.configure(config, false);
        final List<ObjectEncrypted> out = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.OBJECTS));
            final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(serde.deserializer().deserialize(r.topic(), r.headers(), r.value()));
                }
            }
        }
        return out;
    }

    private record Cli(int exit, String out, String err) {
    }

    private static Cli cli(final Map<String, String> env, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = SealstreamCli.execute(args, new SealstreamCli.Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true), new PrintStream(err, true), Map.copyOf(env)));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
