package io.sealstream.config;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one backoff every retry in sealstream uses (the KMS decorator, the pipeline's wait for a dependency, the schema
 * registry client): after failed attempt {@code n} (1-based) the ceiling is {@code initial * multiplier^(n-1)}, capped
 * at {@code max}; the wait is half the ceiling plus a random part of the other half ("equal jitter"). Half is fixed so
 * a dependency that is down gets a real pause between attempts; the random half spreads the retries of many clients
 * after an outage instead of synchronising them.
 *
 * @param initial    ceiling of the first wait
 * @param max        ceiling of any wait
 * @param multiplier growth of the ceiling per attempt (&ge; 1)
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial (" + initial + ") <= max (" + max + ")");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a finite number >= 1, got " + multiplier);
        }
    }

    /** Doubling from {@code initial} up to {@code max}. */
    public static Backoff exponential(final Duration initial, final Duration max) {
        return new Backoff(initial, max, 2.0);
    }

    /** The ceiling of the wait after failed attempt {@code attempt} (1-based), before jitter. */
    public Duration ceiling(final int attempt) {
        final double nanos = initial.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        final long cap = max.toNanos();
        return Duration.ofNanos(nanos >= cap ? cap : (long) nanos);
    }

    /** The wait after failed attempt {@code attempt}, with {@code random} in [0, 1] choosing within the upper half. */
    public Duration delay(final int attempt, final double random) {
        final long ceiling = ceiling(attempt).toNanos();
        final long half = ceiling / 2;
        return Duration.ofNanos(half + Math.round(Math.min(1.0, Math.max(0.0, random)) * (ceiling - half)));
    }

    /** {@link #delay(int, double)} with a fresh random draw. */
    public Duration delay(final int attempt) {
        return delay(attempt, ThreadLocalRandom.current().nextDouble());
    }
}
