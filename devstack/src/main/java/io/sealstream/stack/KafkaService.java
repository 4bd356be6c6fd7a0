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

    public static ServiceProcess start(final Path dir, final int port, final int controllerPort, final Duration timeout)
            throws IOException, InterruptedException {
        final Path home = Files.createDirectories(dir.resolve("kafka"));
        final Path config = home.resolve("server.properties");
        final Path data = home.resolve("data");
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            w.write(String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
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
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", classpath, "kafka.Kafka", config.toString()));
        final ServiceProcess kafka = ServiceProcess.launch("kafka", command, home, dir.resolve("logs/kafka.log"));
        final String bootstrap = "127.0.0.1:" + port;
        kafka.awaitReady(() -> ready(bootstrap), timeout);
        return kafka;
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

    static boolean ready(final String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (final Exception e) {
            return false;
        }
    }
}
