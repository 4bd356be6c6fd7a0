package io.sealstream.keys;
import io.sealstream.objects.KeyReferences;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.kms.KekRef;
import java.time.Instant;

/** Builders for the rotation and audit events key-lifecycle steps emit. Never key material, only ids and references. */
public final class LifecycleEvents {

    private final String service;
    private final String actor;

    public LifecycleEvents(final String service, final String actor) {
        this.service = service;
        this.actor = actor;
    }

    public String service() {
        return service;
    }

    public String actor() {
        return actor;
    }

    public RotationEvent.Builder rotation(final RotationKind kind, final Instant at) {
        return RotationEvent.newBuilder().setKind(kind).setTime(at).setService(service);
    }

    public RotationEvent dekRewrapped(final String dekId, final KekRef from, final KekRef to, final String jobId,
                                      final Instant at) {
        return rotation(RotationKind.DEK_REWRAPPED, at).setDekId(dekId).setKek(KeyReferences.of(to))
                .setPreviousKek(KeyReferences.of(from)).setJobId(jobId).build();
    }

    public AuditEvent.Builder audit(final AuditAction action, final AuditOutcome outcome, final String auditId,
                                    final Instant at) {
        return AuditEvent.newBuilder()
                .setAuditId(auditId)
                .setTime(at)
                .setAction(action)
                .setOutcome(outcome)
                .setActor(actor)
                .setService(service);
    }

    public AuditEvent keyAudit(final AuditAction action, final AuditOutcome outcome, final String auditId,
                               final String dekId, final KekRef kek, final String message, final Instant at) {
        return audit(action, outcome, auditId, at).setDekId(dekId)
                .setKek(kek == null ? null : KeyReferences.of(kek)).setMessage(message).build();
    }
}
