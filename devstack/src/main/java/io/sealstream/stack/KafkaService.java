package io.sealstream.stack;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker as its own process: {@code kafka.Kafka} from the Kafka jars sealstream is built with
 * (Maven Central), formatted on first start with {@code kafka.tools.StorageTool}. Transactions work (replication
 * factor 1), as exactly_once_v2 needs.
 */
public final class KafkaService {

    private KafkaService() {
    }

    /**
     * A secured broker: clients on {@code SASL_SSL} (SCRAM-SHA-512) at the main port, and on {@code SSL} with client
     * certificates required (mutual TLS) at {@code mtlsPort}, which is also the inter-broker listener.
     */
    public record Tls(StackTls pki, int mtlsPort) {
    }

    public static ServiceProcess start(final Path dir, final int port, final int controllerPort, final Duration timeout)
            throws IOException, InterruptedException {
        return start(dir, port, controllerPort, timeout, null);
    }

    /** As {@link #start(Path, int, int, Duration)}, secured when {@code tls} is given. */
    public static ServiceProcess start(final Path dir, final int port, final int controllerPort, final Duration timeout,
                                       final Tls tls) throws IOException, InterruptedException {
        final Path home = Files.createDirectories(dir.resolve("kafka"));
        final Path config = home.resolve("server.properties");
        final Path data = home.resolve("data");
        final List<String> listeners = tls == null
                ? List.of(
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")
                : securedListeners(port, controllerPort, tls);
        Files.deleteIfExists(config);
        Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // TLS: it holds store passwords
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            w.write(String.join("\n", listeners) + "\n");
            w.write(String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                    "controller.listener.names=CONTROLLER",
                    "log.dirs=" + data.toAbsolutePath(),
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "message.max.bytes=2097152",
                    "num.partitions=4",
                    ""));
        }
        final String classpath = System.getProperty("java.class.path");
        final String marker = ServiceProcess.MARKER + dir.toAbsolutePath().normalize();
        if (!Files.exists(data.resolve("meta.properties"))) {
            final List<String> format = List.of(ServiceProcess.javaCommand(), "-cp", classpath, "kafka.tools.StorageTool",
                    "format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString());
            final Process p = new ProcessBuilder(format).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("format.log").toFile())).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting Kafka's storage failed; see " + home.resolve("format.log")
                        + ":\n" + ServiceProcess.tail(home.resolve("format.log"), 20));
            }
        }
        final List<String> command = new ArrayList<>(List.of(ServiceProcess.javaCommand(), marker,
                "-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dsealstream.log.root=INFO",
                "-cp", classpath, "kafka.Kafka", config.toString()));
        final ServiceProcess kafka = ServiceProcess.launch("kafka", command, home, dir.resolve("logs/kafka.log"));
        if (tls == null) {
            kafka.awaitReady(() -> ready("127.0.0.1:" + port, Map.of()), timeout);
        } else {
            final Map<String, Object> client = tls.pki().mtlsClient();
            kafka.awaitReady(() -> ready("127.0.0.1:" + tls.mtlsPort(), client), timeout);
            ensureScramUser("127.0.0.1:" + tls.mtlsPort(), client, tls.pki());
        }
        return kafka;
    }

    /**
     * Clients on SASL_SSL with SCRAM-SHA-512; mutual TLS on its own listener, which the broker also uses to talk to
     * itself. The controller listener stays PLAINTEXT on loopback: it serves the KRaft quorum only, no client API.
     */
    private static List<String> securedListeners(final int port, final int controllerPort, final Tls tls) {
        final List<String> lines = new ArrayList<>(List.of(
                "listeners=SASL_SSL://127.0.0.1:" + port + ",MTLS://127.0.0.1:" + tls.mtlsPort()
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + port + ",MTLS://127.0.0.1:" + tls.mtlsPort()
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "inter.broker.listener.name=MTLS",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.mtls.ssl.client.auth=required"));
        tls.pki().brokerSsl().forEach((k, v) -> lines.add(k + "=" + v));
        return lines;
    }

    /** Creates (or resets) the SCRAM user clients log in as, through the mutual-TLS listener. */
    private static void ensureScramUser(final String bootstrap, final Map<String, Object> client, final StackTls pki)
            throws InterruptedException {
        final Map<String, Object> config = new java.util.HashMap<>(client);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(config)) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    StackTls.KAFKA_USER, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192),
                    pki.kafkaPassword()))).all().get(60, TimeUnit.SECONDS);
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create the broker's SCRAM user: " + e.getMessage(), e);
        }
    }

    /** The controller port of the broker formatted in {@code dir}, if any: it is part of the KRaft voter set. */
    static java.util.Optional<Integer> controllerPort(final Path dir) throws IOException {
        final Path config = dir.resolve("kafka").resolve("server.properties");
        if (!Files.exists(dir.resolve("kafka").resolve("data").resolve("meta.properties")) || !Files.exists(config)) {
            return java.util.Optional.empty();
        }
        final java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        final String voters = p.getProperty("controller.quorum.bootstrap.servers", "");
        return voters.contains(":") ? java.util.Optional.of(Integer.parseInt(voters.substring(voters.lastIndexOf(':') + 1)))
                : java.util.Optional.empty();
    }

    static boolean ready(final String bootstrap, final Map<String, Object> security) {
        final Map<String, Object> config = new java.util.HashMap<>(security);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (final Exception e) {
            return false;
        }
    }
}
