package io.sealstream.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.sealstream.stack.LocalStack;
import java.util.concurrent.atomic.AtomicLong;

/** Watching the app under test in its own process: waiting for its start line, sampling its resident memory. */
final class BenchProcesses {

    private BenchProcesses() {
    }

    static void awaitLine(final Path log, final String line, final Process p, final Duration timeout)
            throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).lines().anyMatch(l -> l.equals(line))) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("the app exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the app did not start; see " + log);
    }

    static void sampleRss(final long pid, final AtomicLong maxKib) {
        final Path status = Path.of("/proc", Long.toString(pid), "status");
        while (true) {
            try {
                for (String l : Files.readAllLines(status)) {
                    if (l.startsWith("VmRSS:")) {
                        final long kib = Long.parseLong(l.replaceAll("\\D+", ""));
                        maxKib.accumulateAndGet(kib, Math::max);
                    }
                }
                Thread.sleep(100);
            } catch (final IOException | InterruptedException | NumberFormatException e) {
                return; // the process is gone
            }
        }
    }

    /** The local stack's service processes by name ({@link LocalStack#readPids}); empty if there is none. */
    static Map<String, Long> stackPids(final Path stackDir) throws IOException {
        final Map<String, Long> pids = new HashMap<>();
        LocalStack.readPids(stackDir).forEach(p -> pids.put(p.name(), p.pid()));
        return pids;
    }

    /** Runs {@code jcmd PID args...} (JFR.start, JFR.stop) and waits for it. */
    static void jcmd(final long pid, final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", args) + " failed: " + out.strip());
        }
    }
}
