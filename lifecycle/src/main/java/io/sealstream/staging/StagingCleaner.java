package io.sealstream.staging;

import io.sealstream.audit.AuditLog;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Removes a staged upload's plaintext once its ciphertext is committed: given an {@code ObjectEncrypted} read with
 * {@code isolation.level=read_committed} (so its transaction, and the object write before it, are done), it checks
 * that the ciphertext is in the store under that event, then deletes (or tags) the staging object and records a
 * STAGING_DELETED (STAGING_TAGGED) audit event. Idempotent: a replay after a crash finds the plaintext gone and
 * records the event again under the same audit id. Never deletes a plaintext whose ciphertext it cannot see, nor
 * one rewritten after it was encrypted (a new upload reusing the key): those are kept and reported.
 */
public final class StagingCleaner {

    /** What one record led to. */
    public enum Outcome {
        /** Not a staged upload: nothing to do. */
        NOT_STAGED,
        /** Deleted or tagged now. */
        CLEANED,
        /** Already gone (an earlier attempt, or its producer): recorded again, idempotently. */
        ALREADY_GONE,
        /** Kept on purpose ({@code keep} mode). */
        KEPT,
        /** Kept because deleting it would not be safe (no ciphertext for this event, or rewritten since). */
        KEPT_UNSAFE
    }

    private final ObjectStore store;
    private final AuditLog audit;
    private final StagingCleanupMode mode;
    private final Map<String, String> tag;
    private final String service;
    private final Clock clock;

    public StagingCleaner(final ObjectStore store, final AuditLog audit, final StagingCleanupMode mode,
                          final Map<String, String> tag, final String service, final Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.tag = Map.copyOf(tag);
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Handles one committed {@code ObjectEncrypted}. Store and audit failures propagate (the caller retries the
     * record; nothing is skipped).
     */
    public Outcome clean(final ObjectEncrypted event) throws IOException {
        if (event.getStagingLocation() == null) {
            return Outcome.NOT_STAGED;
        }
        if (mode == StagingCleanupMode.KEEP) {
            return Outcome.KEPT;
        }
        final ObjectLocation staging = ObjectLocation.parse(event.getStagingLocation());
        final ObjectLocation destination = ObjectLocation.parse(event.getDestination());
        final Optional<StoredObject> ciphertext = store.head(destination);
        if (ciphertext.isEmpty() || !event.getEventId().equals(ciphertext.get().metadata().get(ObjectMetadata.EVENT_ID))) {
            return Outcome.KEPT_UNSAFE; // no ciphertext of this event to be seen (replaced by a later upload?)
        }
        final Optional<StoredObject> plaintext = store.head(staging);
        if (plaintext.isEmpty()) {
            record(event, "staging object " + staging.toUri() + " already gone (deleted earlier)");
            return Outcome.ALREADY_GONE;
        }
        final StoredObject found = plaintext.get();
        if (found.size() != event.getPlaintextSize() || found.lastModified().isAfter(event.getEncryptedAt())) {
            return Outcome.KEPT_UNSAFE; // rewritten after it was encrypted: another upload's plaintext now
        }
        if (mode == StagingCleanupMode.TAG) {
            store.tag(staging, tag);
            record(event, "staging object " + staging.toUri() + " tagged " + tag + " after its ciphertext was committed");
        } else {
            store.delete(staging);
            record(event, "staging object " + staging.toUri() + " deleted after its ciphertext was committed");
        }
        return Outcome.CLEANED;
    }

    private void record(final ObjectEncrypted event, final String message) {
        audit.record(AuditEvent.newBuilder()
                .setAuditId("staging:" + event.getEventId()) // the same on every replay
                .setTime(clock.instant())
                .setAction(mode == StagingCleanupMode.TAG ? AuditAction.STAGING_TAGGED : AuditAction.STAGING_DELETED)
                .setOutcome(AuditOutcome.SUCCESS)
                .setActor(service)
                .setService(service)
                .setEventId(event.getEventId())
                .setTenant(event.getTenant())
                .setBucket(event.getBucket())
                .setObjectKey(event.getObjectKey())
                .setLocation(event.getDestination())
                .setDekId(event.getDekId())
                .setKek(event.getKek())
                .setMessage(message)
                .build());
    }
}
