package io.sealstream.testing;

import io.sealstream.stack.RegistryService;
import io.sealstream.stack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Confluent-API schema registry for integration tests: Apicurio Registry (in-memory storage), started by the
 * same launcher as {@code sealstream stack up} ({@link RegistryService}) on a free loopback port. Maven unpacks it
 * before the ITs and hands its location to failsafe as the system property {@value #DIR_PROPERTY}.
 *
 * <p>Most tests want {@link #shared()}: one registry per test JVM, started on first use and stopped by a shutdown
 * hook, so use unique subject or topic names per test. {@link #start()} gives a private one to close yourself.
 * The global compatibility level is BACKWARD (Confluent's default; Apicurio's is NONE).
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property: the directory holding Apicurio's {@code *-runner.jar}. */
    public static final String DIR_PROPERTY = "sealstream.apicurio.dir";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static ApicurioRegistry shared;

    private final ServiceProcess process;
    private final int port;
    private final Thread shutdownHook;

    private ApicurioRegistry(final ServiceProcess process, final int port) {
        this.process = process;
        this.port = port;
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
        if (!configured()) {
            throw new IllegalStateException("system property " + DIR_PROPERTY + " is not set (failsafe sets it)");
        }
        try {
            final Path runner = RegistryService.findRunnerJar(Path.of(System.getProperty(DIR_PROPERTY)));
            final Path dir = Files.createTempDirectory("apicurio-it");
            final int port = freePort();
            return new ApicurioRegistry(RegistryService.start(dir, runner, port, STARTUP_TIMEOUT), port);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The Confluent-compatible API, for {@code schema.registry.url}. */
    public String confluentUrl() {
        return RegistryService.confluentUrl(port);
    }

    public int port() {
        return port;
    }

    /** The registry's stdout and stderr. */
    public Path logFile() {
        return process.log();
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
        return "ApicurioRegistry[" + confluentUrl() + ", log " + process.log() + "]";
    }

    private void stop() {
        process.stop(Duration.ofSeconds(10));
    }
}
