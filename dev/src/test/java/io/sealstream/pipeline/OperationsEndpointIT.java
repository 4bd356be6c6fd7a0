package io.sealstream.pipeline;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.testing.ApicurioRegistry;
import io.sealstream.testing.S3ProxyServer;
import io.sealstream.testing.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations endpoint of a pipeline on the real stack (KRaft broker, Apicurio, S3Proxy): what a Prometheus scraper
 * and Kubernetes' probes see, and readiness following the object store going away and coming back while the pipeline
 * is idle.
 */
class OperationsEndpointIT {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void metricsListTheMetersAndReadinessFollowsTheObjectStoreGoingAwayAndComingBack() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"));
        final int s3Port = s3.endpoint().getPort();
        try {
            final PipelineFixture f = new PipelineFixture(dir, SharedKafka.bootstrapServers(),
                    ApicurioRegistry.shared().confluentUrl(), s3.endpoint().toString(), s3.accessKey(), s3.secretKey());
            f.config.put("sealstream.ops.probe-interval", "500ms");
            try (SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
                final int port = app.operationsPort().orElseThrow();
                assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
                awaitStatus(port, "/health/ready", 200, Duration.ofSeconds(20), body -> true);

                // The input schema is registered by the pipeline, before any producer wrote one.
                try (io.sealstream.serde.SchemaRegistryClient registry =
                             io.sealstream.serde.SchemaRegistryClients.create(f.config)) {
                    final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    io.sealstream.serde.RegisteredSchema latest = null;
                    while (latest == null && System.nanoTime() < deadline) {
                        try {
                            latest = registry.getLatest(f.topics.uploads() + "-value");
                        } catch (final io.sealstream.serde.SchemaNotFoundException notYet) {
                            Thread.sleep(200);
                        }
                    }
                    assertThat(latest).as("ObjectUploaded under " + f.topics.uploads() + "-value").isNotNull();
                    assertThat(latest.schema()).isEqualTo(io.sealstream.events.ObjectUploaded.getClassSchema());
                }

                // Traffic, with a trace header, then the meters a scraper reads.
                try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                    for (int i = 0; i < 5; i++) {
                        f.send(producer, upload("evt-ops-" + i, "acme", "ops-" + i, inline(new byte[100])));
                    }
                    producer.send(new ProducerRecord<>(f.topics.uploads(), "garbage".getBytes(StandardCharsets.UTF_8),
                            "not an Avro record".getBytes(StandardCharsets.UTF_8)));
                }
                f.readUntil(f.topics.objects(), ObjectEncrypted.class, l -> l.size() >= 5, Duration.ofSeconds(60));
                final String metrics = awaitStatus(port, "/metrics", 200, Duration.ofSeconds(20),
                        body -> body.contains("sealstream_dead_letters_total"));
                assertThat(metrics)
                        .contains("sealstream_uploads_encrypted_total{application=\"it-" + f.id + "\"} 5.0")
                        .contains("sealstream_uploads_plaintext_bytes_total{application=\"it-" + f.id + "\"} 500.0")
                        .containsPattern("sealstream_dead_letters_total\\{[^}]*reason=\"MALFORMED_EVENT\"[^}]*\\} 1.0")
                        .containsPattern("sealstream_kms_calls_total\\{[^}]*operation=\"generate_data_key\"[^}]*"
                                + "outcome=\"success\"[^}]*\\} [1-9]")
                        .contains("sealstream_kms_cache_requests_total")
                        .contains("sealstream_uploads_encrypt_latency_seconds_bucket")
                        .contains("sealstream_audit_chain_lag_seconds_count")
                        // Kafka Streams' own, through Micrometer's Kafka binder, and the JVM's.
                        .contains("kafka_stream_thread_process_total")
                        .contains("jvm_memory_used_bytes");
                assertThat(metrics).doesNotContain("acme").doesNotContain(PipelineFixture.PASSPHRASE);

                // The store goes away: not ready within seconds, still live (a restart would not help).
                final long stoppedAt = System.nanoTime();
                s3.close();
                final String down = awaitStatus(port, "/health/ready", 503, Duration.ofSeconds(15), body -> true);
                final double secondsToUnready = (System.nanoTime() - stoppedAt) / 1e9;
                assertThat(down).contains("\"status\":\"DOWN\"").containsPattern("\"object store[^\"]*\":\"DOWN\"");
                assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);

                // It comes back on the same port with its objects: ready again, and uploads flow.
                final long restartedAt = System.nanoTime();
                s3 = S3ProxyServer.start(dir.resolve("s3"), s3Port);
                awaitStatus(port, "/health/ready", 200, Duration.ofSeconds(30), body -> true);
                final double secondsToReady = (System.nanoTime() - restartedAt) / 1e9;
                System.out.printf("readiness: not ready %.1f s after the store stopped, ready %.1f s after it "
                        + "returned%n", secondsToUnready, secondsToReady);
                try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                    f.send(producer, upload("evt-ops-after", "acme", "ops-after", inline(new byte[10])));
                }
                f.readUntil(f.topics.objects(), ObjectEncrypted.class, l -> l.size() >= 6, Duration.ofSeconds(60));
            }
        } finally {
            s3.close();
        }
    }

    @Test
    void anOccupiedPortStopsStartUpWithOneLineNamingTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            final PipelineFixture f = new PipelineFixture(dir);
            f.config.put("sealstream.ops.port", Integer.toString(taken.getLocalPort()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealstreamApp.start(f.config, f.env))
                    .hasMessageContaining("sealstream.ops.port")
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
        }
    }

    private HttpResponse<String> get(final int port, final String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code path} until it answers {@code status} with a body {@code accepted} takes; returns that body. */
    private String awaitStatus(final int port, final String path, final int status, final Duration within,
                               final Predicate<String> accepted) throws Exception {
        final long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(port, path);
            if (last.statusCode() == status && accepted.test(last.body())) {
                return last.body();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " did not answer " + status + " within " + within + "; last: "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }
}
