package io.sealstream.pipeline;

import io.sealstream.objects.ObjectIdentity;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.ServiceProcess;
import io.sealstream.stack.StackEnv;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.InputStream;
import java.io.OutputStream;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sealstream stack up} as a user runs it (the real jar, separate processes): Kafka, Apicurio and S3Proxy come
 * up with {@code stack.env}; {@code sealstream run --env-file stack.env} encrypts uploads into the stack's S3;
 * {@code stack status} sees every service; {@code stack down} stops them all by pid; {@code stack up} again in the same
 * directory brings back the same services with everything they held: the records already in the topics still decode
 * (the registry kept its schemas and ids) and the objects still decrypt.
 */
class LocalStackIT {

    @TempDir
    Path dir;
    /** The pipeline's topics and buckets on the stack, read again after the stack restarts. */
    private PipelineFixture fixture;

    private Process cli(final Path log, final Map<String, String> env, final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("sealstream.jar")));
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private int cliExit(final String name, final Map<String, String> env, final String... args) throws Exception {
        final Path log = dir.resolve(name + ".log");
        final Process p = cli(log, env, args);
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as(name).isTrue();
        System.out.println("--- sealstream " + String.join(" ", args) + "\n" + Files.readString(log));
        return p.exitValue();
    }

    @Test
    void stackUpRunsThePipelineAndStackDownStopsEverything() throws Exception {
        final Path stack = dir.resolve("stack");
        final String artifacts = System.getProperty("sealstream.stack.home");
        assertThat(cliExit("up", Map.of(), "stack", "up", "--dir", stack.toString(), "--artifacts", artifacts,
                "--partitions", "2")).isZero();
        try {
            final StackEnv env = StackEnv.read(stack);
            assertThat(Files.getPosixFilePermissions(stack.resolve(StackEnv.FILE))).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(cliExit("status", Map.of(), "stack", "status", "--dir", stack.toString())).isZero();

            final PipelineFixture f = new PipelineFixture(dir.resolve("app"), env.kafkaBootstrapServers(),
                    env.schemaRegistryUrl(), env.s3Endpoint(), env.s3AccessKey(), env.s3SecretKey());
            fixture = f;
            // The app takes the services from stack.env, like a user's; the fixture's own topics and buckets keep
            // this test apart from anything else on the stack.
            for (String key : List.of("bootstrap.servers", "schema.registry.url", "sealstream.store.s3.endpoint",
                    "sealstream.store.s3.access-key", "sealstream.store.s3.secret-key")) {
                f.config.remove(key);
            }
            final Path configFile = dir.resolve("app.properties");
            final Properties props = new Properties();
            props.putAll(f.config);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "LocalStackIT");
            }
            final Process app = cli(dir.resolve("run.log"), Map.of(LocalKeyStoreKms.PASSPHRASE_ENV, PipelineFixture.PASSPHRASE),
                    "run", "--config", configFile.toString(), "--env-file", stack.resolve(StackEnv.FILE).toString());
            f.config.put("bootstrap.servers", env.kafkaBootstrapServers());
            f.config.put("schema.registry.url", env.schemaRegistryUrl());
            f.config.put("sealstream.store.s3.endpoint", env.s3Endpoint());
            f.config.put("sealstream.store.s3.access-key", env.s3AccessKey());
            f.config.put("sealstream.store.s3.secret-key", env.s3SecretKey());
            try (ObjectStore store = f.store(); KafkaProducer<byte[], byte[]> producer = f.producer()) {
                final Map<String, byte[]> sha = new HashMap<>();
                final Random random = new Random(3);
                for (int i = 0; i < 20; i++) {
                    final byte[] data = new byte[1024];
                    random.nextBytes(data);
                    sha.put("small-" + i, PipelineFixture.sha256().digest(data));
                    f.send(producer, upload("stack-evt-" + i, "acme", "small-" + i, inline(data)));
                }
                f.send(producer, upload("stack-evt-big", "acme", "big", f.stage(store, "big", 3L << 20, sha)));
                producer.flush();

                final List<ConsumerRecord<byte[], ObjectEncrypted>> objects = f.readUntil(f.topics.objects(),
                        ObjectEncrypted.class, r -> r.size() >= 21, Duration.ofMinutes(3));
                assertThat(objects).hasSize(21);
                assertThat(f.readUntil(f.topics.audit(), AuditEvent.class, r -> PipelineFixture.encrypts(r) >= 21,
                        Duration.ofMinutes(1))).filteredOn(r -> r.value().getAction() == io.sealstream.events.AuditAction.ENCRYPT)
                        .hasSize(21);
                try (LocalKeyStoreKms kms = LocalKeyStoreKms.open(f.keystore, PipelineFixture.PASSPHRASE.toCharArray())) {
                    final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);
                    for (ConsumerRecord<byte[], ObjectEncrypted> r : objects) {
                        final ObjectEncrypted o = r.value();
                        // stack.env names the bucket (S3_BUCKET), and the environment wins over the file.
                        assertThat(o.getDestination()).startsWith("s3://" + env.s3Bucket() + "/acme/it/");
                        final ObjectIdentity id = new ObjectIdentity(o.getTenant(), o.getBucket(), o.getObjectKey());
                        try (InputStream plain = envelope.decryptingStream(store.get(ObjectLocation.parse(o.getDestination())),
                                id.encryptionContext())) {
                            assertThat(PipelineFixture.sha256(plain)).isEqualTo(sha.get(o.getObjectKey()));
                        }
                    }
                }
            } finally {
                app.destroy();
                assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
                System.out.println("--- sealstream run\n" + Files.readString(dir.resolve("run.log"), StandardCharsets.UTF_8));
            }
        } finally {
            final Map<ServiceProcess, Boolean> before = LocalStack.status(stack);
            assertThat(cliExit("down", Map.of(), "stack", "down", "--dir", stack.toString())).isZero();
            assertThat(before).hasSize(3);
            for (ServiceProcess p : before.keySet()) {
                assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)).as(p.name()).isFalse();
            }
            assertThat(cliExit("status-after", Map.of(), "stack", "status", "--dir", stack.toString())).isEqualTo(1);
        }
        restartedStackStillReadsWhatItHeld(stack, artifacts);
    }

    /** After down and up: the same addresses and credentials, and every old record and object still readable. */
    private void restartedStackStillReadsWhatItHeld(final Path stack, final String artifacts) throws Exception {
        final StackEnv first = StackEnv.read(stack);
        assertThat(cliExit("up-again", Map.of(), "stack", "up", "--dir", stack.toString(), "--artifacts", artifacts,
                "--partitions", "2")).isZero();
        try {
            final StackEnv again = StackEnv.read(stack);
            assertThat(again).isEqualTo(first);
            final PipelineFixture f = fixture;
            // Every ObjectEncrypted written before the restart names a schema id: the restarted registry resolves each.
            final List<ConsumerRecord<byte[], ObjectEncrypted>> objects = f.readUntil(f.topics.objects(),
                    ObjectEncrypted.class, r -> r.size() >= 21, Duration.ofMinutes(2));
            assertThat(objects).hasSize(21).allSatisfy(r -> assertThat(r.value().getEventId()).startsWith("stack-evt-"));
            try (ObjectStore store = f.store()) {
                for (ConsumerRecord<byte[], ObjectEncrypted> r : objects) {
                    assertThat(store.head(ObjectLocation.parse(r.value().getDestination()))).isPresent();
                }
            }
        } finally {
            assertThat(cliExit("down-again", Map.of(), "stack", "down", "--dir", stack.toString())).isZero();
        }
    }
}
