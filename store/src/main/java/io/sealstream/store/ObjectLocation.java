package io.sealstream.store;

import java.util.Objects;

/**
 * Where an object lives: a bucket and a key, written {@code s3://bucket/key}. The same form names staging
 * objects (the plaintext a producer uploaded) and destination objects (the ciphertext sealstream wrote), whatever
 * the store behind them (S3 or the filesystem store of the embedded mode).
 */
public record ObjectLocation(String bucket, String key) {

    private static final String SCHEME = "s3://";

    public ObjectLocation {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (bucket.isEmpty() || bucket.indexOf('/') >= 0) {
            throw new IllegalArgumentException("bucket must be non-empty and contain no '/': " + bucket);
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("object key must be non-empty");
        }
    }

    /** Parses {@code s3://bucket/key}; the key may contain '/'. */
    public static ObjectLocation parse(final String uri) {
        Objects.requireNonNull(uri, "uri");
        if (!uri.startsWith(SCHEME)) {
            throw new IllegalArgumentException("expected s3://bucket/key, got: " + uri);
        }
        final String rest = uri.substring(SCHEME.length());
        final int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("expected s3://bucket/key, got: " + uri);
        }
        return new ObjectLocation(rest.substring(0, slash), rest.substring(slash + 1));
    }

    public String toUri() {
        return SCHEME + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return toUri();
    }
}
