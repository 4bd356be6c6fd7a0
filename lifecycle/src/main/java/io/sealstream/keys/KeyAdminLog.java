package io.sealstream.keys;

import io.sealstream.events.AuditEvent;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RotationEvent;
import java.util.List;
import java.util.Optional;

/**
 * Where key-lifecycle tools (re-wrap jobs, KEK rotation, shredding) write, atomically: registry entries, rotation
 * events, audit events and job checkpoints of one step commit together or not at all. The Kafka implementation is
 * one transactional producer whose id is shared by every lifecycle tool, so two tools never write at the same time:
 * a second one fences the first, whose open step is aborted.
 */
public interface KeyAdminLog extends AutoCloseable {

    /**
     * Becomes the deployment's one lifecycle writer now, fencing any other (whose open step is aborted), so that what
     * is read afterwards cannot be changed by another tool before this one writes. Idempotent.
     */
    default void acquire() {
    }

    /** Starts a step. At most one open at a time. */
    Transaction begin();

    /** The latest committed checkpoint of a job. */
    Optional<RewrapJobState> jobState(String jobId);

    /** Submitted jobs not yet completed, oldest first (from the commands topic and the checkpoints). */
    List<RewrapJob> pendingJobs();

    /** Submits a job for a running pipeline's job runner to pick up. */
    void submit(RewrapJob job);

    @Override
    void close();

    /** One atomic step. Closing without {@link #commit()} aborts it. */
    interface Transaction extends AutoCloseable {
        void putDek(DataKeyRecord entry);

        void rotation(RotationEvent event);

        void audit(AuditEvent event);

        void checkpoint(RewrapJobState state);

        void commit();

        @Override
        void close();
    }
}
