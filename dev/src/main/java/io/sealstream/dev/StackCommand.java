package io.sealstream.dev;

import io.sealstream.cli.LogLevels;
import io.sealstream.app.InputSchemaRegistration;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.cli.JsonOutput;
import io.sealstream.keys.KeyTopics;
import io.sealstream.cli.IoAware;

import io.sealstream.pipeline.Topics;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.ServiceProcess;
import io.sealstream.stack.StackEnv;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sealstream stack up|status|down --dir DIR}: the local stack without Docker. */
@Command(name = "stack", description = "Start, inspect or stop a local Kafka + schema registry + S3 stack (no Docker).",
        subcommands = {StackCommand.Up.class, StackCommand.Status.class, StackCommand.Down.class})
final class StackCommand {

    static void quietClients() {
        // Kafka's admin client logs every refused connection while the broker starts; the progress lines say enough.
        LogLevels.setUnlessChosen("org.apache.kafka", "ERROR");
    }

    @Command(name = "up", description = "Start Kafka (KRaft), Apicurio Registry and S3Proxy on loopback, create the "
            + "topics and buckets, and write DIR/stack.env.")
    static final class Up extends IoAware implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/stack", description = "Data, logs, pids and stack.env. Default: ${DEFAULT-VALUE}.")
        Path dir;
        @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "0", description = "Broker port (0: a free one).")
        int kafkaPort;
        @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "0", description = "Schema registry port (0: a free one).")
        int registryPort;
        @Option(names = "--s3-port", paramLabel = "PORT", defaultValue = "0", description = "S3 port (0: a free one).")
        int s3Port;
        @Option(names = "--bucket", paramLabel = "NAME", defaultValue = "sealstream", description = "Bucket for ciphertext. Default: ${DEFAULT-VALUE}.")
        String bucket;
        @Option(names = "--staging-bucket", paramLabel = "NAME", defaultValue = "staging", description = "Bucket for staged uploads. Default: ${DEFAULT-VALUE}.")
        String stagingBucket;
        @Option(names = "--partitions", paramLabel = "N", defaultValue = "4", description = "Partitions of the pipeline's topics. Default: ${DEFAULT-VALUE}.")
        int partitions;
        @Option(names = "--artifacts", paramLabel = "DIR", description = "Where Apicurio and S3Proxy were fetched (default: beside the jar).")
        Path artifacts;
        @Option(names = "--register-input-schema", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Register ObjectUploaded under sealstream.uploads-value, for producers in other "
                        + "languages (default: yes).")
        boolean registerInputSchema;
        @Option(names = "--tls", description = "Secure the stack: Kafka on SASL_SSL (SCRAM-SHA-512) and mutual TLS, "
                + "the registry and S3 over https, with the stack's own CA (DIR/tls); stack.env gets the client "
                + "settings.")
        boolean tls;

        @Override
        public Integer call() throws Exception {
            quietClients();
            final LocalStack.Options o = new LocalStack.Options(dir, artifacts != null ? artifacts : LocalStack.defaultArtifacts(),
                    kafkaPort, registryPort, s3Port, bucket, stagingBucket, topics(), java.util.Set.copyOf(
                    KeyTopics.defaults().compacted()), partitions, Duration.ofMinutes(3), tls);
            final StackEnv env = LocalStack.up(o, io.stdout());
            if (registerInputSchema) {
                // The registry's address and, on a secured stack, its TLS settings, as `run` reads them from stack.env.
                final int id = InputSchemaRegistration.register(
                        SealstreamConfig.load(null, env.asMap()), Topics.UPLOADS);
                io.stdout().println("input schema     ObjectUploaded, id " + id + " under subject "
                        + Topics.UPLOADS + "-value");
            }
            io.stdout().println("stack.env        " + o.dir().resolve(StackEnv.FILE) + "   (./sealstream run --config "
                    + "config/stack.properties --env-file " + o.dir().resolve(StackEnv.FILE) + ")");
            for (Map.Entry<String, String> e : env.asMap().entrySet()) {
                io.stdout().println("  " + e.getKey() + "=" + ((SealstreamConfig.isSecret(e.getKey())
                        && !e.getKey().endsWith(SealstreamConfig.FILE_SUFFIX)) || e.getKey().equals("S3_SECRET_KEY")
                        ? "(in the file)" : e.getValue()));
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show which services of the stack in DIR run; exit 1 if any does not.")
    static final class Status extends IoAware implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/stack", description = "Default: ${DEFAULT-VALUE}.")
        Path dir;
        @Option(names = "--json", description = "Print one JSON object: dir, running (all of them), services (name, "
                + "pid, running, log). Same exit code.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            final Map<ServiceProcess, Boolean> status = LocalStack.status(dir);
            if (json) {
                final com.fasterxml.jackson.databind.node.ObjectNode root = JsonOutput.object()
                        .put("dir", dir.toAbsolutePath().normalize().toString())
                        .put("running", !status.isEmpty() && status.values().stream().allMatch(Boolean::booleanValue));
                final com.fasterxml.jackson.databind.node.ArrayNode services = root.putArray("services");
                status.forEach((p, up) -> services.addObject().put("name", p.name()).put("pid", p.pid())
                        .put("running", up).put("log", p.log().toString()));
                io.stdout().println(root);
                return root.get("running").asBoolean() ? 0 : 1;
            }
            if (status.isEmpty()) {
                io.stdout().println("no stack in " + dir.toAbsolutePath().normalize());
                return 1;
            }
            status.forEach((p, up) -> io.stdout().printf("%-16s pid %-8d %s   log %s%n", p.name(), p.pid(),
                    up ? "running" : "NOT RUNNING", p.log()));
            return status.values().stream().allMatch(Boolean::booleanValue) ? 0 : 1;
        }
    }

    @Command(name = "down", description = "Stop what 'stack up' started in DIR (by pid); data and logs stay.")
    static final class Down extends IoAware implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/stack", description = "Default: ${DEFAULT-VALUE}.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            final List<String> stopped = LocalStack.down(dir, Duration.ofSeconds(20));
            io.stdout().println(stopped.isEmpty() ? "nothing was running in " + dir.toAbsolutePath().normalize()
                    : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }

    /** The pipeline's topics and the key lifecycle's, as the pipeline names them by default. */
    static java.util.List<String> topics() {
        final java.util.List<String> all = new java.util.ArrayList<>(Topics.defaults().all());
        all.addAll(KeyTopics.defaults().all());
        return all;
    }
}
