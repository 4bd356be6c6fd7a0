package io.sealstream.dev;

import io.sealstream.app.SealstreamApp;
import io.sealstream.cli.CliFailure;
import io.sealstream.cli.SealstreamCli;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The demo's look at the running pipeline's operations endpoint, as a Prometheus scraper and a probe see it. */
final class OperationsEndpointCheck {

    /** The meters the demo prints (what a dashboard starts with). */
    private static final List<String> SHOWN = List.of("sealstream_uploads_encrypted_total",
            "sealstream_uploads_plaintext_bytes_total", "sealstream_dead_letters_total", "sealstream_audit_chained_total",
            "sealstream_kms_cache_requests_total");

    private OperationsEndpointCheck() {
    }

    static void report(final SealstreamApp app, final PrintStream out) {
        final int port = app.operationsPort().orElseThrow(() -> new CliFailure(
                "demo: the operations endpoint is not enabled", SealstreamCli.EXIT_FAILURE));
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<String> ready = get(http, port, "/health/ready");
        final HttpResponse<String> metrics = get(http, port, "/metrics");
        if (ready.statusCode() != 200 || metrics.statusCode() != 200) {
            throw new CliFailure("demo: the operations endpoint answered /health/ready " + ready.statusCode()
                    + " and /metrics " + metrics.statusCode() + ": " + ready.body().strip(), SealstreamCli.EXIT_FAILURE);
        }
        out.printf("ops         http://localhost:%d/health/ready %s%n", port, ready.body().strip());
        for (final String line : metrics.body().split("\n")) {
            if (SHOWN.stream().anyMatch(line::startsWith)) {
                out.printf("ops         %s%n", line);
            }
        }
        if (!metrics.body().contains("sealstream_uploads_encrypted_total") || !metrics.body().contains("kafka_stream")) {
            throw new CliFailure("demo: /metrics lacks sealstream's or Kafka Streams' meters",
                    SealstreamCli.EXIT_FAILURE);
        }
    }

    private static HttpResponse<String> get(final HttpClient http, final int port, final String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (final IOException e) {
            throw new CliFailure("demo: cannot read " + path + " from the operations endpoint: " + e.getMessage(),
                    SealstreamCli.EXIT_FAILURE);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("demo: interrupted", SealstreamCli.EXIT_FAILURE);
        }
    }
}
