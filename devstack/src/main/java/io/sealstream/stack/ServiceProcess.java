package io.sealstream.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One service of the local stack, as its own OS process that outlives the JVM that started it. Its output goes to
 * a log file; it is found again by pid, and recognised by the marker {@code -Dsealstream.stack.dir=DIR} on its command
 * line, so that {@code stack down} never signals an unrelated process that reused the pid.
 */
public record ServiceProcess(String name, long pid, Path log) {

    public static final String MARKER = "-Dsealstream.stack.dir=";

    /** Starts {@code command} (a java command line that already carries the marker) with output to {@code log}. */
    static ServiceProcess launch(final String name, final List<String> command, final Path workDir, final Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        final ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        final Process p = pb.start();
        return new ServiceProcess(name, p.pid(), log);
    }

    public Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    }

    public boolean isAlive() {
        return handle().isPresent();
    }

    /** Whether the live process with this pid is the one the stack in {@code dir} started. */
    public boolean belongsTo(final Path dir) {
        final String marker = MARKER + dir.toAbsolutePath().normalize();
        return handle().flatMap(h -> h.info().arguments())
                .map(args -> java.util.Arrays.asList(args).contains(marker))
                .orElse(false);
    }

    /** Polls {@code ready} until it holds; fails early, with the log's tail, if the process dies. */
    void awaitReady(final BooleanSupplier ready, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited before it was ready; last lines of " + log + ":\n"
                        + tail(log, 30));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(250);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s; last lines of "
                + log + ":\n" + tail(log, 30));
    }

    /** SIGTERM, then SIGKILL after {@code grace}. Returns true if the process is gone. */
    public boolean stop(final Duration grace) {
        final Optional<ProcessHandle> h = handle();
        if (h.isEmpty()) {
            return true;
        }
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (final Exception timedOut) {
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (final Exception e) {
                return false;
            }
            return true;
        }
    }

    /** The last {@code lines} lines of a log file, for error messages. */
    public static String tail(final Path log, final int lines) {
        try {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (final IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException("no free port", e);
        }
    }
}
