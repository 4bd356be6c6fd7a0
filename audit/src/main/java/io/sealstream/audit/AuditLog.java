package io.sealstream.audit;

import io.sealstream.events.AuditEvent;

/**
 * Where actions outside the pipeline's own transactions (reads, shredding, rotation, re-wrap jobs) record their
 * audit events. Implementations make the event durable before returning, so a caller can refuse to go on (fail
 * closed) when the trail cannot be written. The chain fields are left empty: the chainer sets them.
 */
public interface AuditLog extends AutoCloseable {

    /** Makes {@code event} durable; throws if it could not be recorded. */
    void record(AuditEvent event);

    /**
     * Starts recording {@code event} without waiting: the future completes once it is durable, or completes
     * exceptionally if it cannot be. A caller that must not act before the event is durable awaits the future at the
     * last moment (the S3 gateway: before a read's final bytes) instead of paying a round trip up front. The default
     * records synchronously.
     */
    default java.util.concurrent.CompletableFuture<Void> recordAsync(final AuditEvent event) {
        try {
            record(event);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        } catch (final RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    @Override
    void close();
}
