package io.sealstream.kms.retry;

import io.sealstream.config.Backoff;
import java.time.Duration;

/**
 * How {@link RetryingKeyManagementService} retries transient KMS failures: the project's one backoff
 * ({@link #backoff()}, {@link Backoff}): each wait is half of
 * {@code min(maxBackoff, initialBackoff * multiplier^(attempt-1))} plus a random part of the other half, which spreads
 * the retries of many clients after a KMS outage instead of synchronising them. Null durations mean the defaults.
 *
 * <p>Defaults ({@link #defaults()}): 6 attempts, 100 ms initial backoff doubling up to 5 s, at most 30 s in total,
 * which rides out a KMS fail-over or a throttling burst without holding a pipeline thread for minutes.
 *
 * @param maxAttempts    total attempts including the first (1 = no retries)
 * @param initialBackoff upper bound of the first wait
 * @param maxBackoff     upper bound of any wait
 * @param multiplier     growth of the upper bound per attempt (&ge; 1)
 * @param maxElapsed     give up rather than start a wait that would end later than this after the first attempt
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                          Duration maxElapsed) {

    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX_ELAPSED = Duration.ofSeconds(30);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry maxAttempts must be at least 1, got " + maxAttempts);
        }
        initialBackoff = initialBackoff == null ? DEFAULT_INITIAL_BACKOFF : requireNotNegative("initialBackoff", initialBackoff);
        maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : requireNotNegative("maxBackoff", maxBackoff);
        maxElapsed = maxElapsed == null ? DEFAULT_MAX_ELAPSED : requireNotNegative("maxElapsed", maxElapsed);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("retry maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("retry multiplier must be a finite number >= 1, got " + multiplier);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MULTIPLIER,
                DEFAULT_MAX_ELAPSED);
    }

    /** A policy that never retries. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO);
    }

    public RetryPolicy withMaxAttempts(final int value) {
        return new RetryPolicy(value, initialBackoff, maxBackoff, multiplier, maxElapsed);
    }

    public RetryPolicy withInitialBackoff(final Duration value) {
        return new RetryPolicy(maxAttempts, value, maxBackoff, multiplier, maxElapsed);
    }

    public RetryPolicy withMaxBackoff(final Duration value) {
        return new RetryPolicy(maxAttempts, initialBackoff, value, multiplier, maxElapsed);
    }

    public RetryPolicy withMultiplier(final double value) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, value, maxElapsed);
    }

    public RetryPolicy withMaxElapsed(final Duration value) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, value);
    }

    /** The backoff shape of this policy. */
    public Backoff backoff() {
        return new Backoff(initialBackoff, maxBackoff, multiplier);
    }

    /** Upper bound of the wait after failed attempt {@code attempt} (1-based), before jitter. */
    public Duration backoffCeiling(final int attempt) {
        return backoff().ceiling(attempt);
    }

    private static Duration requireNotNegative(final String name, final Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("retry " + name + " must not be negative, got " + value);
        }
        return value;
    }
}
