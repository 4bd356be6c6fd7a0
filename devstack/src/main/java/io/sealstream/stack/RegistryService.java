package io.sealstream.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Apicurio Registry 2.6.13 as its own process, speaking Confluent's Schema Registry API under
 * {@code /apis/ccompat/v7}. Its default compatibility is NONE; the stack sets BACKWARD, Confluent's default.
 *
 * <p>Its storage is H2 in a file under {@code DIR/registry/db} (the runnable's "in-memory" storage is H2, pointed
 * at a file with {@code quarkus.datasource.jdbc.url}), so schemas and their ids survive {@code stack down}/{@code up}:
 * every record already in the topics names a schema id, and a registry that forgot them would make those records
 * unreadable.
 */
public final class RegistryService {

    /** The Confluent-compatible base path: what a Confluent client takes as {@code schema.registry.url}. */
    public static final String CONFLUENT_PATH = "/apis/ccompat/v7";

    private RegistryService() {
    }

    public static ServiceProcess start(final Path dir, final Path runnerJar, final int port, final Duration timeout)
            throws IOException {
        return start(dir, runnerJar, port, timeout, null);
    }

    /**
     * As {@link #start(Path, Path, int, Duration)}; with {@code tls}, over https only (Quarkus' TLS, the stack's
     * server certificate), its store password in {@code registry/config/application.properties} (owner-only), where
     * Quarkus reads it, rather than on the command line.
     */
    public static ServiceProcess start(final Path dir, final Path runnerJar, final int port, final Duration timeout,
                                       final StackTls tls) throws IOException {
        final Path home = Files.createDirectories(dir.resolve("registry"));
        final List<String> listener = new java.util.ArrayList<>(List.of("-Dquarkus.http.host=127.0.0.1"));
        if (tls == null) {
            listener.add("-Dquarkus.http.port=" + port);
        } else {
            final Path conf = Files.createDirectories(home.resolve("config")).resolve("application.properties");
            Files.deleteIfExists(conf);
            Files.createFile(conf, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(conf, String.join("\n",
                    "quarkus.http.ssl-port=" + port,
                    "quarkus.http.insecure-requests=disabled",
                    "quarkus.http.ssl.certificate.key-store-file=" + tls.serverKeystore(),
                    "quarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                    "quarkus.http.ssl.certificate.key-store-password=" + tls.storePassword(), ""));
        }
        final List<String> command = new java.util.ArrayList<>(List.of(ServiceProcess.javaCommand(),
                ServiceProcess.MARKER + dir.toAbsolutePath().normalize(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(listener);
        command.addAll(List.of(
                "-Dregistry.rest.artifact.deletion.enabled=true",
                "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + home.resolve("db").resolve("registry").toAbsolutePath()
                        + ";DB_CLOSE_ON_EXIT=FALSE",
                "-jar", runnerJar.toAbsolutePath().toString()));
        final ServiceProcess registry = ServiceProcess.launch("schema-registry", command, home,
                dir.resolve("logs/schema-registry.log"));
        final String url = tls == null ? confluentUrl(port) : secureConfluentUrl(port);
        final HttpClient http = client(tls);
        registry.awaitReady(() -> status(http, url + "/subjects", "GET", null) == 200, timeout);
        final int put = status(http, url + "/config", "PUT", "{\"compatibility\":\"BACKWARD\"}");
        if (put != 200) {
            registry.stop(Duration.ofSeconds(10));
            throw new IllegalStateException("the registry refused PUT /config BACKWARD (HTTP " + put + ")");
        }
        return registry;
    }

    public static String confluentUrl(final int port) {
        return "http://127.0.0.1:" + port + CONFLUENT_PATH;
    }

    public static String secureConfluentUrl(final int port) {
        return "https://127.0.0.1:" + port + CONFLUENT_PATH;
    }

    /** An HTTP client for the stack's services: trusting the stack's CA when it has one. */
    static HttpClient client(final StackTls tls) {
        final HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            b.sslContext(tls.sslContext());
        }
        return b.build();
    }

    /** The {@code *-runner.jar} under {@code dir} (where Maven unpacked Apicurio's archive). */
    public static Path findRunnerJar(final Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Apicurio Registry is not unpacked at " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-runner.jar under " + dir));
        }
    }

    static int status(final String url, final String method, final String json) {
        return status(client(null), url, method, json);
    }

    static int status(final HttpClient http, final String url, final String method, final String json) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        final HttpRequest request = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody()).build()
                : b.header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
