package io.sealstream.pipeline.internals;
import io.sealstream.text.BoundedText;
import io.sealstream.pipeline.TransientFailureException;

import io.sealstream.config.Backoff;
import io.sealstream.kms.KmsException;
import io.sealstream.pipeline.PipelineConfig.RetrySettings;
import java.io.IOException;
import java.time.Clock;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries one record's work while its dependencies are transiently down, with the project's one backoff
 * ({@link Backoff}),
 * for at most {@link RetrySettings#maxBlock()}; then gives way with {@link TransientFailureException}. Permanent
 * failures and programming errors pass straight through.
 */
final class RetryLoop {

    private static final Logger LOG = LoggerFactory.getLogger(RetryLoop.class);

    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException;
    }

    /** Sleeps; a seam for tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final RetrySettings settings;
    private final Clock clock;
    private final Sleeper sleeper;

    RetryLoop(final RetrySettings settings, final Clock clock, final Sleeper sleeper) {
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    <T> T run(final String what, final Work<T> work) throws PermanentFailureException {
        final long deadline = clock.millis() + settings.maxBlock().toMillis();
        final Backoff backoff = Backoff.exponential(settings.initialBackoff(), settings.maxBackoff());
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                return work.run();
            } catch (final PermanentFailureException e) {
                throw e;
            } catch (final IOException | RuntimeException e) {
                if (!isTransient(e)) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
                }
                final long sleep = Math.max(1, backoff.delay(attempt).toMillis());
                if (clock.millis() + sleep > deadline) {
                    throw new TransientFailureException(what + ": still failing after " + attempt
                            + " attempts; giving way so the record is retried from its last commit: " + oneLine(e), e);
                }
                // The dependency monitor tells operators about the outage (once, then each minute); per attempt is debug.
                LOG.debug("{}: transient failure (attempt {}), retrying in {} ms: {}", what, attempt, sleep, oneLine(e));
                try {
                    sleeper.sleep(sleep);
                } catch (final InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new TransientFailureException(what + ": interrupted while waiting to retry", e);
                }
            }
        }
    }

    /**
     * Transient: KMS unavailable, object store I/O (the store is not the event's fault), schema registry unreachable.
     * Everything else (a non-transient KMS error, a bug) is not retried.
     */
    static boolean isTransient(final Throwable e) {
        if (e instanceof KmsException k) {
            return k.isTransient();
        }
        if (e instanceof io.sealstream.serde.SchemaRegistryException s) {
            return s.isTransient();
        }
        if (e instanceof SerializationException) {
            return false;
        }
        return e instanceof IOException || e instanceof java.io.UncheckedIOException;
    }

    static String oneLine(final Throwable e) {
        return BoundedText.message(e);
    }
}
