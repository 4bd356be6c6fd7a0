package io.sealstream.gateway.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of an object (RFC 9110 section 14, as S3 applies it): {@code bytes=first-last}, {@code bytes=first-}
 * or the suffix {@code bytes=-n}. A header that is not one such range is ignored (the whole object is served), as S3
 * does; a range that starts past the end is unsatisfiable (416).
 */
public record ByteRange(long first, long length) {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    public long last() {
        return first + length - 1;
    }

    /** {@code Content-Range} of this range of an object of {@code size} bytes. */
    public String contentRange(final long size) {
        return "bytes " + first + "-" + last() + "/" + size;
    }

    /**
     * The range {@code header} asks for in an object of {@code size} bytes: empty to serve it whole.
     *
     * @throws S3Error 416 InvalidRange when it cannot be satisfied
     */
    public static Optional<ByteRange> parse(final String header, final long size) throws S3Error {
        if (header == null) {
            return Optional.empty();
        }
        final Matcher m = SINGLE.matcher(header.strip());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty(); // not a single byte range: ignored, like S3
        }
        try {
            if (m.group(1).isEmpty()) {
                final long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(size);
                }
                final long n = Math.min(suffix, size);
                return Optional.of(new ByteRange(size - n, n));
            }
            final long first = Long.parseLong(m.group(1));
            final long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
            if (last < first) {
                return Optional.empty(); // syntactically invalid: ignored
            }
            if (first >= size) {
                throw unsatisfiable(size);
            }
            return Optional.of(new ByteRange(first, Math.min(last, size - 1) - first + 1));
        } catch (final NumberFormatException e) {
            return Optional.empty(); // beyond a long
        }
    }

    private static S3Error unsatisfiable(final long size) {
        return new S3Error(416, "InvalidRange", "The requested range is not satisfiable (object size " + size + ")");
    }
}
