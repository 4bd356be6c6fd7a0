package io.sealstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Confluent-API schema registry for integration tests: Apicurio Registry (in-memory storage) as a child JVM
 * on a free loopback port. Maven unpacks it into {@code target/apicurio} before the ITs and hands its location to
 * failsafe as the system property {@value #DIR_PROPERTY}.
 *
 * <p>Most tests want {@link #shared()}: one registry per test JVM, started on first use and stopped by a shutdown
 * hook, so use unique subject or topic names per test. {@link #start()} gives a private one to close yourself.
 * The global compatibility level is set to BACKWARD (Confluent's default; Apicurio's is NONE).
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property: the directory holding Apicurio's {@code *-runner.jar}. */
    public static final String DIR_PROPERTY = "sealstream.apicurio.dir";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final int PORT_ATTEMPTS = 3;
    private static ApicurioRegistry shared;

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread shutdownHook;

    private ApicurioRegistry(final Process process, final int port, final Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "apicurio-registry-" + port + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Whether {@value #DIR_PROPERTY} is set, as failsafe sets it. Surefire does not (a {@code -Dtest} pattern can
     * select an IT there), so ITs guard with {@code assumeTrue(ApicurioRegistry.configured(), ...)}.
     */
    public static boolean configured() {
        final String dir = System.getProperty(DIR_PROPERTY);
        return dir != null && !dir.isBlank();
    }

    /** The JVM-wide registry, started on first use (again if it died) and stopped when the JVM exits. */
    public static synchronized ApicurioRegistry shared() {
        if (shared == null || !shared.isAlive()) {
            shared = start();
        }
        return shared;
    }

    /** A new registry from {@value #DIR_PROPERTY}; close it when done. */
    public static ApicurioRegistry start() {
        return start(runnerJar());
    }

    /** A new registry from this runner jar; close it when done. */
    public static ApicurioRegistry start(final Path runnerJar) {
        final Path logDir = logDirectory(runnerJar);
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            final int port = freePort();
            final Path log = logDir.resolve("apicurio-registry-" + port + ".log");
            final Process process = launch(runnerJar, port, log);
            final ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
            try {
                registry.awaitReady();
                registry.put("/apis/ccompat/v7/config", "{\"compatibility\":\"BACKWARD\"}");
                return registry;
            } catch (final IllegalStateException e) {
                registry.close();
                last = e;
                if (!tail(log, 200).contains("already in use") && !tail(log, 200).contains("Address already")) {
                    break; // not a port race: retrying will not help
                }
            }
        }
        throw last;
    }

    /** {@code http://127.0.0.1:PORT} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The Confluent-compatible API: {@code http://127.0.0.1:PORT/apis/ccompat/v7}, for {@code schema.registry.url}. */
    public String confluentUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    /** The registry's stdout and stderr. */
    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the registry: SIGTERM, then a forced kill after 10 s. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (final IllegalStateException e) {
            // the JVM is already shutting down
        }
        synchronized (ApicurioRegistry.class) {
            if (shared == this) {
                shared = null;
            }
        }
    }

    @Override
    public String toString() {
        return "ApicurioRegistry[" + confluentUrl() + ", log " + log + "]";
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final HttpRequest probe = HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects")).timeout(Duration.ofSeconds(5)).GET().build();
        final long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + tail(log, 40));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (final IOException e) {
                // not listening yet
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
            }
            sleep(200);
        }
        throw new IllegalStateException("Apicurio Registry did not answer GET /apis/ccompat/v7/subjects within "
                + STARTUP_TIMEOUT.toSeconds() + " s; last lines of " + log + ":\n" + tail(log, 40));
    }

    private void put(final String path, final String json) {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (final IOException e) {
            throw new IllegalStateException("PUT " + path + " failed: " + e, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private static Process launch(final Path runnerJar, final int port, final Path log) {
        final List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dregistry.rest.artifact.deletion.enabled=true",
                "-jar", runnerJar.toString());
        try {
            return new ProcessBuilder(command)
                    .directory(runnerJar.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (final IOException e) {
            throw new UncheckedIOException("Cannot start Apicurio Registry " + runnerJar, e);
        }
    }

    private static Path runnerJar() {
        final String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("System property " + DIR_PROPERTY + " is not set: run the ITs through Maven"
                    + " (./mvnw -pl streams -am verify), which unpacks Apicurio Registry into streams/target/apicurio");
        }
        final Path root = Path.of(dir);
        try (Stream<Path> files = Files.exists(root) ? Files.walk(root, 3) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No *-runner.jar under " + root
                            + ": the maven-dependency-plugin unpack of apicurio-registry-app did not run"));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** target/ when the jar is under target/apicurio, else the system temp dir. */
    private static Path logDirectory(final Path runnerJar) {
        for (Path p = runnerJar.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals("target")) {
                return p;
            }
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(final Path file, final int lines) {
        try {
            final List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (final IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
        }
    }
}
