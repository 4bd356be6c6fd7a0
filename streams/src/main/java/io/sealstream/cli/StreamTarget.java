package io.sealstream.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code --in}/{@code --out} arguments, where {@code -} is stdin/stdout. A file output is written to a temporary
 * file beside it and renamed into place only by {@link Output#commit()}: a failed command leaves no output file.
 */
final class StreamTarget {

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
            return new Output(new java.io.BufferedOutputStream(io.stdout(), 1 << 16), null, null);
        }
        final Path target = Path.of(out).toAbsolutePath();
        final Path dir = target.getParent();
        if (Files.isDirectory(target)) {
            throw new CliFailure("--out " + out + " is a directory", SealstreamCli.EXIT_FAILURE);
        }
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".sealstream-partial",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (final UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".sealstream-partial");
        }
        return new Output(Files.newOutputStream(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                temp, target);
    }

    /** Output that becomes visible only on commit; closing without commit discards it. */
    static final class Output extends FilterOutputStream {
        private final Path temp;
        private final Path target;
        private boolean committed;
        private boolean closed;

        Output(final OutputStream out, final Path temp, final Path target) {
            super(out);
            this.temp = temp;
            this.target = target;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            out.write(b, off, len);
        }

        /** Flushes, closes and moves the temporary file into place. */
        void commit() throws IOException {
            closeUnderlying();
            if (temp != null) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        }

        private void closeUnderlying() throws IOException {
            if (!closed) {
                closed = true;
                if (temp == null) {
                    out.flush(); // stdout: flush, never close
                } else {
                    out.close();
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (committed) {
                return;
            }
            try {
                closeUnderlying();
            } finally {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }
}
