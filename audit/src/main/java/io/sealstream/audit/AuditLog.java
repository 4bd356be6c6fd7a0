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

    @Override
    void close();
}
