package io.sealstream.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
