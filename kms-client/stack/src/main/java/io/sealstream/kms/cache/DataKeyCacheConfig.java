package io.sealstream.kms.cache;

import java.time.Duration;

/**
 * Limits of the {@link CachingKeyManagementService}. A {@code null} duration means "the default"; every other
 * value must be positive.
 *
 * <p>Why these defaults ({@link #defaults()}):
 * <ul>
 *   <li>{@code maxAge} 1 hour: bounds how long one DEK encrypts new objects, so a leaked DEK exposes at most an
 *       hour of uploads per KEK, while costing one KMS call per KEK per hour.</li>
 *   <li>{@code maxObjectsPerKey} 1,000,000: the envelope derives every object key from the DEK with a random
 *       256-bit salt, so no nonce-collision bound applies; the limit caps blast radius (objects exposed by one
 *       leaked DEK) and keeps rewrap/audit batches manageable.</li>
 *   <li>{@code maxBytesPerKey} 1 TiB: likewise a blast-radius bound, not a cryptographic one.</li>
 *   <li>{@code maxUnwrapEntries} 10,000 and {@code unwrapMaxAge} 1 hour: enough to decrypt a hot working set
 *       without a KMS call per object, while bounding memory (~100 bytes per entry) and how long plaintext DEKs
 *       stay in memory after use.</li>
 * </ul>
 *
 * @param maxAge           how long one cached DEK is used for new objects
 * @param maxObjectsPerKey how many {@code generateDataKey} calls one cached DEK serves
 * @param maxBytesPerKey   how many plaintext bytes (as reported via {@code reportUsage}) one cached DEK encrypts
 * @param maxUnwrapEntries how many unwrapped DEKs are kept for decryption (least recently used are evicted)
 * @param unwrapMaxAge     how long an unwrapped DEK is kept for decryption
 */
public record DataKeyCacheConfig(Duration maxAge, long maxObjectsPerKey, long maxBytesPerKey, int maxUnwrapEntries,
                                 Duration unwrapMaxAge) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    public static final long DEFAULT_MAX_OBJECTS_PER_KEY = 1_000_000L;
    public static final long DEFAULT_MAX_BYTES_PER_KEY = 1L << 40;
    public static final int DEFAULT_MAX_UNWRAP_ENTRIES = 10_000;
    public static final Duration DEFAULT_UNWRAP_MAX_AGE = Duration.ofHours(1);

    public DataKeyCacheConfig {
        maxAge = maxAge == null ? DEFAULT_MAX_AGE : requirePositive("maxAge", maxAge);
        unwrapMaxAge = unwrapMaxAge == null ? DEFAULT_UNWRAP_MAX_AGE : requirePositive("unwrapMaxAge", unwrapMaxAge);
        requirePositive("maxObjectsPerKey", maxObjectsPerKey);
        requirePositive("maxBytesPerKey", maxBytesPerKey);
        requirePositive("maxUnwrapEntries", maxUnwrapEntries);
    }

    /** The documented defaults. */
    public static DataKeyCacheConfig defaults() {
        return new DataKeyCacheConfig(DEFAULT_MAX_AGE, DEFAULT_MAX_OBJECTS_PER_KEY, DEFAULT_MAX_BYTES_PER_KEY,
                DEFAULT_MAX_UNWRAP_ENTRIES, DEFAULT_UNWRAP_MAX_AGE);
    }

    public DataKeyCacheConfig withMaxAge(final Duration value) {
        return new DataKeyCacheConfig(value, maxObjectsPerKey, maxBytesPerKey, maxUnwrapEntries, unwrapMaxAge);
    }

    public DataKeyCacheConfig withMaxObjectsPerKey(final long value) {
        return new DataKeyCacheConfig(maxAge, value, maxBytesPerKey, maxUnwrapEntries, unwrapMaxAge);
    }

    public DataKeyCacheConfig withMaxBytesPerKey(final long value) {
        return new DataKeyCacheConfig(maxAge, maxObjectsPerKey, value, maxUnwrapEntries, unwrapMaxAge);
    }

    public DataKeyCacheConfig withMaxUnwrapEntries(final int value) {
        return new DataKeyCacheConfig(maxAge, maxObjectsPerKey, maxBytesPerKey, value, unwrapMaxAge);
    }

    public DataKeyCacheConfig withUnwrapMaxAge(final Duration value) {
        return new DataKeyCacheConfig(maxAge, maxObjectsPerKey, maxBytesPerKey, maxUnwrapEntries, value);
    }

    private static Duration requirePositive(final String name, final Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("data key cache " + name + " must be positive, got " + value);
        }
        return value;
    }

    private static void requirePositive(final String name, final long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("data key cache " + name + " must be positive, got " + value);
        }
    }
}
