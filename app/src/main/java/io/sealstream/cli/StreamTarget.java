package io.sealstream.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * {@code --in}/{@code --out} arguments, where {@code -} is stdin/stdout. A file output is written to a new temporary
 * file beside it (created exclusively, owner-only, never through a symbolic link), forced to disk, and renamed into
 * place only by {@link Output#commit()}: a failed or interrupted command leaves no output file.
 */
final class StreamTarget {

    private static final SecureRandom NAMES = new SecureRandom();

    private StreamTarget() {
    }

    static InputStream open(final String in, final SealstreamCli.Io io) throws IOException {
        if ("-".equals(in)) {
            return new java.io.BufferedInputStream(io.stdin(), 1 << 16) {
                @Override
                public void close() {
                    // Never close the process's stdin.
                }
            };
        }
        return Files.newInputStream(Path.of(in));
    }

    static Output create(final String out, final SealstreamCli.Io io) throws IOException {
        if ("-".equals(out)) {
            return new Output(new java.io.BufferedOutputStream(io.stdout(), 1 << 16), null, null, null)
                    .reportingTo(io.stderr());
        }
        final Path target = Path.of(out).toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new CliFailure("--out " + out + " is a directory", SealstreamCli.EXIT_FAILURE);
        }
        if (!Files.isDirectory(target.getParent())) {
            throw new CliFailure("--out " + out + ": directory " + target.getParent() + " does not exist",
                    SealstreamCli.EXIT_FAILURE);
        }
        final String name = target.getFileName().toString();
        final Path temp = target.resolveSibling("." + (name.length() > 100 ? name.substring(0, 100) : name) + "."
                + HexFormat.of().formatHex(randomBytes()) + ".sealstream-partial");
        final FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnly(temp));
        // An interrupted command (Ctrl-C, SIGTERM) runs shutdown hooks, not this thread's cleanup.
        final Thread cleanup = new Thread(() -> deleteQuietly(temp), "sealstream-partial-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        return new Output(Channels.newOutputStream(channel), channel, temp, target) {
            @Override
            void released() {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (final IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }.reportingTo(io.stderr());
    }

    private static byte[] randomBytes() {
        final byte[] b = new byte[8];
        NAMES.nextBytes(b);
        return b;
    }

    private static FileAttribute<?>[] ownerOnly(final Path file) {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    private static void deleteQuietly(final Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (final IOException ignored) {
            // best effort on the way out
        }
    }

    /** Output that becomes visible only on commit; closing without commit discards it. */
    static class Output extends FilterOutputStream {
        private final FileChannel channel;
        private final Path temp;
        private final Path target;
        private boolean committed;
        private boolean closed;
        /** Progress of long writes: a line on stderr every {@link #PROGRESS_EVERY_NANOS}. */
        private java.io.PrintStream progress;
        private final long started = System.nanoTime();
        private long lastProgress = started;
        private long written;

        Output(final OutputStream out, final FileChannel channel, final Path temp, final Path target) {
            super(out);
            this.channel = channel;
            this.temp = temp;
            this.target = target;
        }

        private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

        /** Writes taking longer than 5 s say how far they are, on {@code stderr}. */
        Output reportingTo(final java.io.PrintStream stderr) {
            this.progress = stderr;
            return this;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            out.write(b, off, len);
            written += len;
            if (progress != null) {
                final long now = System.nanoTime();
                if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
                    lastProgress = now;
                    progress.printf("sealstream: %,d MiB written (%.0f MiB/s)%n", written >> 20,
                            (written / 1048576.0) / ((now - started) / 1e9));
                }
            }
        }

        /** Flushes, forces to disk, closes and renames the temporary file into place. */
        void commit() throws IOException {
            if (temp == null) {
                out.flush(); // stdout: flush, never close
                committed = true;
                return;
            }
            out.flush();
            channel.force(true); // the rename must not become durable before the contents
            closeUnderlying();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
            released();
            syncDirectory(target.getParent());
        }

        /** Called once the temporary file no longer needs cleaning up. */
        void released() {
        }

        private void closeUnderlying() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
            }
        }

        @Override
        public void close() throws IOException {
            if (committed) {
                return;
            }
            if (temp == null) {
                out.flush();
                return;
            }
            try {
                closeUnderlying();
            } finally {
                deleteQuietly(temp);
                released();
            }
        }

        private static void syncDirectory(final Path dir) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (final IOException | UnsupportedOperationException ignored) {
                // Not every platform can sync a directory; the rename itself is still atomic.
            }
        }
    }
}
