package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.StagedPayload;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer nobody here wrote: examples/producers/produce-upload.mjs, on KafkaJS and
 * {@code @kafkajs/confluent-schema-registry} (installed from npm), sends an inline and a staged upload to a running
 * pipeline on the real stack. It finds the input schema by subject (the pipeline registered it at start; this client
 * cannot register a union of records), writes the payload union its way, and sets a {@code traceparent}: both uploads
 * are encrypted, and the trace header reaches their ObjectEncrypted. Skipped, with the reason, without node and npm,
 * except where {@code SEALSTREAM_REQUIRE_NODE=1} (CI).
 */
class NodeProducerInteropIT {

    @TempDir
    Path dir;

    @Test
    void uploadsProducedByKafkaJsWithTheRegisteredSchemaAreEncrypted() throws Exception {
        // CI sets SEALSTREAM_REQUIRE_NODE=1: there, a missing node or a failed npm install fails the test.
        final boolean required = "1".equals(System.getenv("SEALSTREAM_REQUIRE_NODE"));
        requireOrSkip(required, onPath("node") && onPath("npm"), "node and npm are not installed");
        final Path project = dir.resolve("producers");
        Files.createDirectories(project);
        for (final String file : List.of("package.json", "produce-upload.mjs")) {
            Files.copy(Path.of("..", "examples", "producers", file), project.resolve(file));
        }
        final ProcessResult install = run(project, Map.of(), Duration.ofMinutes(5), "npm", "install", "--no-audit",
                "--no-fund", "--loglevel=error");
        requireOrSkip(required, install.exitCode() == 0, "npm install failed (no registry?): " + install.output());

        final PipelineFixture f = new PipelineFixture(dir);
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            final Map<String, String> env = new HashMap<>(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", f.config.get("bootstrap.servers"),
                    "SCHEMA_REGISTRY_URL", f.config.get("schema.registry.url"),
                    "TOPIC", f.topics.uploads()));
            // The schema is registered off the start-up path: the script retries until the subject exists.
            env.put("EVENT_ID", "node-inline");
            env.put("OBJECT_KEY", "node-inline.txt");
            env.put("DATA", "inline bytes from KafkaJS\n");
            runUntilSubjectExists(project, env);

            final Map<String, byte[]> sha = new HashMap<>();
            final StagedPayload staged = f.stage(store, "node-staged.bin", 300_000, sha);
            env.remove("DATA");
            env.put("EVENT_ID", "node-staged");
            env.put("OBJECT_KEY", "node-staged.bin");
            env.put("STAGED_LOCATION", staged.getLocation());
            env.put("STAGED_SIZE", Long.toString(staged.getSize()));
            final ProcessResult second = run(project, env, Duration.ofMinutes(1), "node", "produce-upload.mjs");
            assertThat(second.exitCode()).as(second.output()).isZero();

            final List<ConsumerRecord<byte[], ObjectEncrypted>> objects = f.readUntil(f.topics.objects(),
                    ObjectEncrypted.class, l -> l.size() >= 2, Duration.ofSeconds(60));
            assertThat(objects).extracting(r -> r.value().getEventId())
                    .containsExactlyInAnyOrder("node-inline", "node-staged");
            for (final ConsumerRecord<byte[], ObjectEncrypted> r : objects) {
                assertThat(r.value().getTenant()).isEqualTo("acme");
                assertThat(new String(r.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            }
            assertThat(objects).filteredOn(r -> r.value().getEventId().equals("node-staged"))
                    .singleElement().satisfies(r -> assertThat(r.value().getPlaintextSize()).isEqualTo(300_000));
            assertThat(f.countUncommitted(f.topics.deadLetters())).isZero();
        }
    }

    /** The first send, retried while the pipeline's registration of the input schema is still under way. */
    private void runUntilSubjectExists(final Path project, final Map<String, String> env) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ProcessResult last;
        do {
            last = run(project, env, Duration.ofMinutes(1), "node", "produce-upload.mjs");
            if (last.exitCode() == 0) {
                return;
            }
            Thread.sleep(1000);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the node producer failed: " + last.output());
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private static ProcessResult run(final Path dir, final Map<String, String> env, final Duration timeout,
                                     final String... command) throws IOException, InterruptedException {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Path log = Files.createTempFile(dir, "out", ".log");
        pb.redirectOutput(log.toFile());
        final Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return new ProcessResult(-1, "timed out: " + Files.readString(log));
        }
        return new ProcessResult(p.exitValue(), Files.readString(log));
    }

    private static void requireOrSkip(final boolean required, final boolean condition, final String reason) {
        if (required) {
            assertThat(condition).as(reason).isTrue();
        } else {
            Assumptions.assumeTrue(condition, reason);
        }
    }

    private static boolean onPath(final String tool) {
        for (final String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
