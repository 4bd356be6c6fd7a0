package io.sealstream.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What both stores share: the metadata rules, the writer-facing stream guard, one-line messages. */
final class StoreSupport {

    /** S3's limit for user metadata: the UTF-8 bytes of all keys and values together. */
    static final int MAX_METADATA_BYTES = 2048;

    private StoreSupport() {
    }

    /**
     * Checks metadata against the rules of {@link ObjectStore} and returns an immutable copy. Both stores apply the
     * same rules so that an object moves between them unchanged: keys {@code [a-z0-9-]+}, values printable ASCII
     * without leading or trailing spaces (HTTP would trim them), at most 2 KiB together (S3's limit).
     */
    static Map<String, String> checkedMetadata(final Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        int bytes = 0;
        final Map<String, String> sorted = new TreeMap<>();
        for (final Map.Entry<String, String> e : metadata.entrySet()) {
            final String key = Objects.requireNonNull(e.getKey(), "metadata key");
            final String value = Objects.requireNonNull(e.getValue(), () -> "metadata value of " + key);
            if (key.isEmpty() || !key.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                throw new IllegalArgumentException("metadata key must match [a-z0-9-]+: " + printable(key));
            }
            if (!value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
                throw new IllegalArgumentException("metadata value of " + key + " must be printable ASCII");
            }
            if (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ')) {
                throw new IllegalArgumentException("metadata value of " + key + " must not start or end with a space");
            }
            bytes += key.length() + value.length();
            sorted.put(key, value);
        }
        if (bytes > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("metadata too large: " + bytes + " bytes of keys and values, at most "
                    + MAX_METADATA_BYTES);
        }
        return Map.copyOf(sorted);
    }

    /** One line, no control characters, bounded length: for exception messages built from foreign text. */
    static String oneLine(final String text) {
        if (text == null) {
            return "";
        }
        final String flat = printable(text.replaceAll("\\s+", " ")).trim();
        return flat.length() <= 300 ? flat : flat.substring(0, 297) + "...";
    }

    /** Control characters replaced by '?', so that a hostile key cannot forge log lines. */
    static String printable(final String text) {
        final StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The stream handed to an {@link ObjectContentWriter}: counts bytes, ignores {@code close()} (the store, not the
     * writer, decides when the object is complete) and refuses writes once closed or once the put is over, so a
     * leaked reference can never add bytes to a committed object.
     */
    static final class WriterStream extends OutputStream {
        private final OutputStream sink;
        private long count;
        private boolean closed;
        private IOException failure;

        WriterStream(final OutputStream sink) {
            this.sink = sink;
        }

        @Override
        public void write(final int b) throws IOException {
            ensureOpen();
            try {
                sink.write(b);
            } catch (final IOException e) {
                throw failed(e);
            }
            count++;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            try {
                sink.write(b, off, len);
            } catch (final IOException e) {
                throw failed(e);
            }
            count += len;
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
        }

        @Override
        public void close() {
            closed = true;
        }

        long count() {
            return count;
        }

        /**
         * Rethrows the store's first write failure, if any: a writer that swallowed it and returned normally must
         * not get a truncated object committed.
         */
        void checkNoWriteFailed() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        private IOException failed(final IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("object content stream is closed");
            }
        }
    }
}
