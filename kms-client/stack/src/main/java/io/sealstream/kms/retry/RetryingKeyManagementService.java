package io.sealstream.kms.retry;

import io.sealstream.config.Backoff;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries transient KMS failures ({@link KmsException#isTransient()}) with exponential backoff and jitter ({@link Backoff}) as
 * configured by a {@link RetryPolicy}. Permanent failures (unknown key, rejected wrapped key, ...) and exceptions
 * that are not {@link KmsException}s pass through at once.
 *
 * <p>Only operations that are safe to repeat are retried: generateDataKey (a duplicate only wastes a key), unwrap,
 * rewrap, describeKey and listKeys. createKey and rotateKey are not: a call that timed out may have taken effect,
 * and repeating it would fail ("exists") or rotate twice.
 *
 * <p>When it gives up it throws {@link KmsUnavailableException} naming the operation, the attempts and the time
 * spent, with the last failure as cause. An interrupted wait restores the interrupt flag and gives up the same way.
 */
public final class RetryingKeyManagementService implements KeyManagementServiceDecorator {

    /** Waits between attempts; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
    }

    /** Draws the jittered wait for a ceiling; replaced in tests. */
    @FunctionalInterface
    public interface Jitter {
        Duration draw(Duration ceiling);

        /** The project's one backoff shape ({@link Backoff}): half fixed, half random. */
        Jitter EQUAL = ceiling -> new Backoff(ceiling, ceiling, 1.0).delay(1);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RetryingKeyManagementService.class);

    private final KeyManagementService delegate;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Jitter jitter;
    private final LongSupplier nanoTime;

    public RetryingKeyManagementService(final KeyManagementService delegate, final RetryPolicy policy) {
        this(delegate, policy, Sleeper.THREAD_SLEEP, Jitter.EQUAL, System::nanoTime);
    }

    public RetryingKeyManagementService(final KeyManagementService delegate, final RetryPolicy policy,
                                        final Sleeper sleeper, final Jitter jitter, final LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.policy = policy == null ? RetryPolicy.defaults() : policy;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public KeyManagementService delegate() {
        return delegate;
    }

    public RetryPolicy policy() {
        return policy;
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        return retry("generateDataKey", kekId, () -> delegate.generateDataKey(kekId, scope));
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        return retry("unwrap", describe(wrapped), () -> delegate.unwrap(wrapped));
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        return retry("rewrap", describe(wrapped), () -> delegate.rewrap(wrapped));
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        return retry("describeKey", kekId, () -> delegate.describeKey(kekId));
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        return delegate.createKey(kekId); // not idempotent, see class comment
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        return delegate.rotateKey(kekId); // not idempotent, see class comment
    }

    @Override
    public List<KeyDescription> listKeys() {
        return retry("listKeys", "", delegate::listKeys);
    }

    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        // idempotent by contract (destroying a version already gone is not an error), so safe to retry
        retry("destroyKeyVersion", kekId + "@" + version, () -> {
            delegate.destroyKeyVersion(kekId, version);
            return null;
        });
    }

    @Override
    public void destroyKey(final String kekId) {
        delegate.destroyKey(kekId); // a retry after a timed-out success would report "not found"
    }

    @Override
    public void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
        delegate.reportUsage(key, plaintextBytes);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "RetryingKeyManagementService[" + delegate + "]";
    }

    private static String describe(final WrappedDataKey wrapped) {
        return wrapped == null ? "null" : wrapped.dekId() + " under " + wrapped.kek();
    }

    private <T> T retry(final String operation, final String argument, final Supplier<T> call) {
        final long start = nanoTime.getAsLong();
        final long maxElapsed = policy.maxElapsed().toNanos();
        for (int attempt = 1; ; attempt++) {
            final KmsException failure;
            try {
                return call.get();
            } catch (final KmsException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                failure = e;
            }
            final long elapsed = nanoTime.getAsLong() - start;
            if (attempt >= policy.maxAttempts()) {
                throw giveUp(operation, argument, attempt, elapsed, failure, "");
            }
            final Duration wait = jitter.draw(policy.backoffCeiling(attempt));
            if (elapsed + wait.toNanos() > maxElapsed) {
                throw giveUp(operation, argument, attempt, elapsed, failure, "");
            }
            LOG.debug("{}({}) failed (attempt {} of {}), retrying in {} ms: {}", operation, argument, attempt,
                    policy.maxAttempts(), wait.toMillis(), failure.getMessage());
            try {
                sleeper.sleep(wait);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw giveUp(operation, argument, attempt, nanoTime.getAsLong() - start, failure, "interrupted; ");
            }
        }
    }

    private KmsUnavailableException giveUp(final String operation, final String argument, final int attempts,
                                           final long elapsedNanos, final KmsException last, final String note) {
        final String message = String.format(Locale.ROOT, "KMS '%s' unavailable: %s(%s) failed %d %s over %.1f s; %slast error: %s",
                delegate.providerName(), operation, argument, attempts, attempts == 1 ? "time" : "times",
                elapsedNanos / 1e9, note, oneLine(last.getMessage()));
        return new KmsUnavailableException(message, last);
    }

    private static String oneLine(final String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s+", " ").trim();
    }
}
