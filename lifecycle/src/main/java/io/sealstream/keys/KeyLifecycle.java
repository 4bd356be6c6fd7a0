package io.sealstream.keys;
import io.sealstream.objects.KeyReferences;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RotationKind;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Operator actions on keys, each made of {@link KeyAdminLog} steps that emit their rotation and audit events in the
 * same transaction as the registry change: KEK rotation with re-wrap, destroying a KEK version, and crypto-shredding
 * of a DEK or a whole KEK (docs/OPERATIONS.md walks through them; docs/ARCHITECTURE.md says what remains afterwards).
 */
public final class KeyLifecycle {

    private final KeyManagementService kms;
    private final DekRegistry registry;
    private final KeyAdminLog log;
    private final RewrapJobRunner rewrap;
    private final LifecycleEvents events;
    private final Clock clock;

    public KeyLifecycle(final KeyManagementService kms, final DekRegistry registry, final KeyAdminLog log,
                        final RewrapJobRunner rewrap, final LifecycleEvents events, final Clock clock) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.log = Objects.requireNonNull(log, "log");
        this.rewrap = Objects.requireNonNull(rewrap, "rewrap");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a rotation did ({@code rewrap} is null for a rotation done as part of a shred). */
    public record Rotation(KekRef previous, KekRef current, RewrapJobState rewrap) {
    }

    /**
     * Adds a KEK version (KEK_ROTATED), then re-wraps every registered DEK of that KEK under it with a job named
     * {@code rotate-<kek>-<version>} (resumable: run {@code rotate} with that id if this process dies). Running
     * pipelines notice the new version within their rotation check interval and take a new DEK under it.
     */
    public Rotation rotateKek(final String kekId) {
        log.acquire();
        final Rotation rotated = rotateOnly(kekId, null);
        final RewrapJobState job = rewrap.run(rotationJob(kekId, rotated.current().version()));
        return new Rotation(rotated.previous(), rotated.current(), job);
    }
    /** The job a rotation runs: every registered DEK of the KEK. */
    public RewrapJob rotationJob(final String kekId, final String version) {
        return RewrapJob.newBuilder().setJobId(("rotate-" + kekId + "-" + version).replaceAll("[^A-Za-z0-9._-]", "_"))
                .setSubmittedAt(clock.instant()).setSubmittedBy(events.actor()).setKekId(kekId).build();
    }

    /**
     * Destroys an old KEK version at the KMS once no live registry entry is wrapped under it (re-wrap first). Objects
     * whose DEK the registry does not know lose their only way in; the check cannot see those (docs/OPERATIONS.md).
     */
    public void destroyKekVersion(final String kekId, final String version) {
        log.acquire();
        registry.refresh();
        final KekRef target = new KekRef(kms.providerName(), kekId, version);
        final long stillUnder = registry.entries().stream()
                .filter(e -> !DekRecords.isShredded(e) && KeyReferences.of(e.getKek()).equals(target)).count();
        if (stillUnder > 0) {
            throw new IllegalStateException(stillUnder + " registered DEKs are still wrapped only under " + target
                    + "; re-wrap them first (sealstream rotate --kek " + kekId + ")");
        }
        kms.destroyKeyVersion(kekId, version);
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.rotation(events.rotation(RotationKind.KEK_VERSION_DESTROYED, now).setKek(KeyReferences.of(target)).build());
            tx.audit(events.keyAudit(AuditAction.KEY_DESTROY, AuditOutcome.SUCCESS, "kek-destroy:" + target, null,
                    target, "KEK version destroyed", now));
            tx.commit();
        }
    }

    /** What a shred did, and what it could not do. */
    public record Shred(List<String> shreddedDeks, List<KekRef> destroyedVersions, List<String> rewrappedDeks,
                        Optional<String> incomplete) {
    }

    /**
     * Crypto-shreds one DEK: every object encrypted with it becomes undecryptable by anyone. Steps: rotate each KEK
     * whose current version ever held the DEK; re-wrap every other live DEK off those versions; mark the DEK SHREDDED
     * (its wrapped key leaves the registry); destroy those versions at the KMS. Re-running it after a crash finishes
     * the job. Refuses a DEK a pipeline may still encrypt with (ACTIVE) unless {@code force}, because objects written
     * with it after the shred would be lost too.
     */
    public Shred shredDek(final String dekId, final boolean force) {
        log.acquire(); // no other lifecycle tool can re-wrap this DEK between our read and our writes
        registry.refresh();
        final DataKeyRecord entry = registry.find(dekId)
                .orElseThrow(() -> new KeyNotFoundException("DEK " + dekId + " is not in the registry"));
        if (entry.getState() == io.sealstream.events.DataKeyState.ACTIVE && !force) {
            throw new IllegalStateException("DEK " + dekId + " is still ACTIVE: a pipeline may encrypt new objects with it. "
                    + "Rotate its KEK first (pipelines then retire it) or pass --force");
        }
        final List<KekRef> versions = DekRecords.versionsHolding(entry);
        final Set<String> keks = new LinkedHashSet<>();
        versions.forEach(v -> keks.add(v.keyId()));
        String cannotDestroy = null;
        for (final String kekId : keks) {
            final KeyDescription description = kms.describeKey(kekId);
            if (versions.contains(description.currentRef())) {
                try {
                    rotateOnly(kekId, "shred of DEK " + dekId);
                } catch (final UnsupportedKmsOperationException e) {
                    // e.g. AWS KMS or customer keys: no versions to rotate away from, so none can be destroyed either
                    cannotDestroy = description.provider();
                }
            }
        }
        // DEKs created under a version until it stopped being current (by any pipeline) must be moved too:
        // read the registry again, after the rotation, before choosing what to move.
        registry.refresh();
        final List<String> moved = cannotDestroy == null ? moveOthersOff(versions, dekId) : List.of();
        if (!DekRecords.isShredded(entry)) {
            final DataKeyRecord latest = registry.find(dekId).orElse(entry);
            if (!DekRecords.versionsHolding(latest).equals(versions)) {
                throw new IllegalStateException("DEK " + dekId + " was re-wrapped while it was being shredded; nothing "
                        + "was destroyed: run the shred again");
            }
            final Instant now = clock.instant();
            try (KeyAdminLog.Transaction tx = log.begin()) {
                tx.putDek(DekRecords.shredded(latest, now, events.service()));
                tx.rotation(events.rotation(RotationKind.DEK_SHREDDED, now).setDekId(dekId)
                        .setKek(KeyReferences.of(versions.get(0))).build());
                tx.audit(events.keyAudit(AuditAction.SHRED, AuditOutcome.SUCCESS, "shred-dek:" + dekId, dekId,
                        versions.get(0), "DEK shredded; KEK versions to destroy: " + versions, now));
                tx.commit();
            }
            registry.refresh();
        }
        if (cannotDestroy != null) {
            return new Shred(List.of(dekId), List.of(), moved, Optional.of(registryOnly(dekId, cannotDestroy, versions.get(0))));
        }
        final List<KekRef> destroyed = new ArrayList<>();
        for (final KekRef version : versions) {
            try {
                requireNoOtherDekUnder(version, dekId);
                destroyVersionUnchecked(version);
                destroyed.add(version);
            } catch (final UnsupportedKmsOperationException e) {
                return new Shred(List.of(dekId), destroyed, moved, Optional.of(registryOnly(dekId, version.provider(), version)));
            } catch (final KeyNotFoundException e) {
                // destroyed by an earlier run that was interrupted before its event: record it now
                versionDestroyed(version, "KEK version found destroyed while finishing the shred of a DEK");
                destroyed.add(version);
            }
        }
        return new Shred(List.of(dekId), destroyed, moved, Optional.empty());
    }

    private static String registryOnly(final String dekId, final String provider, final KekRef version) {
        return "DEK " + dekId + " is shredded in the registry, but KMS provider '" + provider
                + "' cannot destroy single KEK versions: its copy in object headers stays unwrappable under " + version
                + " until the whole KEK is shredded (sealstream shred kek " + version.keyId() + ")";
    }

    /**
     * Crypto-shreds a KEK (e.g. a tenant leaving): every registered DEK under it is marked SHREDDED, then the KEK with
     * all its versions is destroyed at the KMS. Pipelines whose key policy still names the KEK dead-letter new uploads
     * with KEY_NOT_FOUND.
     */
    public Shred shredKek(final String kekId) {
        log.acquire();
        registry.refresh();
        final List<DataKeyRecord> under = registry.entries().stream()
                .filter(e -> !DekRecords.isShredded(e))
                .filter(e -> e.getCreatedKek().getKeyId().equals(kekId) || e.getKek().getKeyId().equals(kekId))
                .toList();
        final List<String> shredded = new ArrayList<>();
        for (int i = 0; i < under.size(); i += 100) {
            final Instant now = clock.instant();
            try (KeyAdminLog.Transaction tx = log.begin()) {
                for (final DataKeyRecord entry : under.subList(i, Math.min(under.size(), i + 100))) {
                    tx.putDek(DekRecords.shredded(entry, now, events.service()));
                    tx.rotation(events.rotation(RotationKind.DEK_SHREDDED, now).setDekId(entry.getDekId())
                            .setKek(entry.getCreatedKek()).setMessage("KEK " + kekId + " shredded").build());
                    tx.audit(events.keyAudit(AuditAction.SHRED, AuditOutcome.SUCCESS, "shred-dek:" + entry.getDekId(),
                            entry.getDekId(), KeyReferences.of(entry.getCreatedKek()), "shredded with KEK " + kekId, now));
                    shredded.add(entry.getDekId());
                }
                tx.commit();
            }
        }
        registry.refresh();
        KekRef any = null;
        try {
            any = kms.describeKey(kekId).currentRef();
            kms.destroyKey(kekId);
        } catch (final KeyNotFoundException e) {
            // destroyed by an earlier, interrupted run
        }
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.rotation(events.rotation(RotationKind.KEK_SHREDDED, now)
                    .setKek(any == null ? null : KeyReferences.of(any)).setMessage("KEK " + kekId
                            + " destroyed at the KMS as its provider defines it (docs/kms/), with " + shredded.size()
                            + " DEKs").build());
            tx.audit(events.audit(AuditAction.KEY_DESTROY, AuditOutcome.SUCCESS, "kek-shred:" + kekId, now)
                    .setKek(any == null ? null : KeyReferences.of(any))
                    .setMessage("KEK " + kekId + " destroyed at the KMS as its provider defines it (docs/kms/); "
                            + shredded.size() + " DEKs shredded")
                    .build());
            tx.commit();
        }
        return new Shred(shredded, any == null ? List.of() : List.of(any), List.of(), Optional.empty());
    }

    /** A new KEK version, announced (KEK_ROTATED) and audited (KEY_ROTATE); {@code why} is null for a plain rotation. */
    private Rotation rotateOnly(final String kekId, final String why) {
        final KekRef previous = kms.describeKey(kekId).currentRef();
        final KekRef current = kms.rotateKey(kekId).currentRef();
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.rotation(events.rotation(RotationKind.KEK_ROTATED, now).setKek(KeyReferences.of(current))
                    .setPreviousKek(KeyReferences.of(previous)).setMessage(why).build());
            tx.audit(events.keyAudit(AuditAction.KEY_ROTATE, AuditOutcome.SUCCESS, "kek-rotate:" + current, null, current,
                    why != null ? why : "rotated from " + previous, now));
            tx.commit();
        }
        return new Rotation(previous, current, null);
    }
    /** Re-wraps every live DEK but {@code except} whose registry copy is under one of {@code versions}. */
    private List<String> moveOthersOff(final List<KekRef> versions, final String except) {
        final List<DataKeyRecord> toMove = registry.entries().stream()
                .filter(e -> !DekRecords.isShredded(e) && !e.getDekId().equals(except))
                .filter(e -> versions.contains(KeyReferences.of(e.getKek())))
                .toList();
        final String step = "shred-" + except.substring(0, 8) + "-" + UUID.randomUUID().toString().substring(0, 8);
        final List<String> moved = new ArrayList<>();
        for (int i = 0; i < toMove.size(); i += 100) {
            final Instant now = clock.instant();
            try (KeyAdminLog.Transaction tx = log.begin()) {
                for (final DataKeyRecord entry : toMove.subList(i, Math.min(toMove.size(), i + 100))) {
                    final KekRef from = KeyReferences.of(entry.getKek());
                    final WrappedDataKey rewrapped = kms.rewrap(DekRecords.wrapped(entry));
                    if (rewrapped.kek().equals(from)) {
                        throw new IllegalStateException("KMS kept DEK " + entry.getDekId() + " under " + from
                                + " although a newer version exists");
                    }
                    tx.putDek(DekRecords.rewrapped(entry, rewrapped, now, events.service()));
                    tx.rotation(events.dekRewrapped(entry.getDekId(), from, rewrapped.kek(), step, now));
                    tx.audit(events.keyAudit(AuditAction.REWRAP, AuditOutcome.SUCCESS,
                            "rewrap:" + step + ":" + entry.getDekId(), entry.getDekId(), rewrapped.kek(),
                            "moved off " + from + " before a shred", now));
                    moved.add(entry.getDekId());
                }
                tx.commit();
            }
        }
        registry.refresh();
        return moved;
    }

    /** The last check before a version goes: no live entry but the one being shredded may be wrapped under it. */
    private void requireNoOtherDekUnder(final KekRef version, final String except) {
        registry.refresh();
        final long stillUnder = registry.entries().stream()
                .filter(e -> !DekRecords.isShredded(e) && !e.getDekId().equals(except))
                .filter(e -> KeyReferences.of(e.getKek()).equals(version)).count();
        if (stillUnder > 0) {
            throw new IllegalStateException(stillUnder + " other registered DEKs appeared under " + version
                    + " during the shred of DEK " + except + "; nothing was destroyed under it: run the shred again");
        }
    }

    private void destroyVersionUnchecked(final KekRef version) {
        kms.destroyKeyVersion(version.keyId(), version.version());
        versionDestroyed(version, "KEK version destroyed to shred a DEK");
    }

    /** The events of a destroyed version; the audit id is the same on every run, so a repeat adds no new fact. */
    private void versionDestroyed(final KekRef version, final String message) {
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.rotation(events.rotation(RotationKind.KEK_VERSION_DESTROYED, now).setKek(KeyReferences.of(version)).build());
            tx.audit(events.keyAudit(AuditAction.KEY_DESTROY, AuditOutcome.SUCCESS, "kek-destroy:" + version, null,
                    version, message, now));
            tx.commit();
        }
    }

    /** Registry entries grouped by their current KEK version, for {@code keys status}. */
    public Map<KekRef, Long> dekCountsByVersion() {
        registry.refresh();
        final Map<KekRef, Long> counts = new LinkedHashMap<>();
        for (final DataKeyRecord entry : registry.entries()) {
            if (!DekRecords.isShredded(entry)) {
                counts.merge(KeyReferences.of(entry.getKek()), 1L, Long::sum);
            }
        }
        return counts;
    }
}
