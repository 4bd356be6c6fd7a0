package io.sealstream.keys;

import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.objects.KeyReferences;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.events.RotationKind;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.DataKey;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a re-wrap job: moves the DEKs it selects to the current version of their KEK, in the registry only (objects
 * are never rewritten), in batches. Each batch is one {@link KeyAdminLog} step: the new registry entries, their
 * DEK_REWRAPPED rotation and REWRAP audit events, and the job's checkpoint commit together. So a job killed at any
 * point and run again resumes after its last committed batch, and a DEK is re-wrapped once in effect: the KMS may be
 * asked twice for a batch that never committed, but only one re-wrapped entry and one event ever become visible, and
 * a DEK already under the current version is skipped.
 *
 * <p>Selection: by registry (KEK id, DEK creation time) in DEK id order, or, when the job names a tenant, by listing
 * the tenant's objects ({@code <tenant>/<bucket>/<prefix>} in the store bucket, metadata filters) in key order and
 * reading each object's header for its DEK id. Uploads may go on meanwhile: new DEKs come from the KMS under the
 * current version already, and a registry-wide job ends with a sweep for entries that appeared behind its cursor.
 */
public final class RewrapJobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RewrapJobRunner.class);
    private static final int MAX_SWEEPS = 5;

    private final KeyManagementService kms;
    private final DekRegistry registry;
    private final KeyAdminLog log;
    private final ObjectStore store;
    private final String storeBucket;
    private final LifecycleEvents events;
    private final Clock clock;
    private final int batchSize;
    private final Duration pauseBetweenBatches;
    private volatile java.util.function.Consumer<RewrapJobState> progressListener = state -> { };
    private long lastProgressLine;

    public RewrapJobRunner(final KeyManagementService kms, final DekRegistry registry, final KeyAdminLog log,
                           final ObjectStore store, final String storeBucket, final LifecycleEvents events,
                           final Clock clock, final int batchSize, final Duration pauseBetweenBatches) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.log = Objects.requireNonNull(log, "log");
        this.store = store;
        this.storeBucket = storeBucket;
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        this.batchSize = batchSize;
        this.pauseBetweenBatches = Objects.requireNonNull(pauseBetweenBatches, "pauseBetweenBatches");
    }

    /**
     * Receives each checkpoint once it is committed (the metrics' re-wrap progress), on the thread running the job.
     * Every 5 s of a long job, a progress line also goes to the log.
     */
    public RewrapJobRunner onProgress(final java.util.function.Consumer<RewrapJobState> listener) {
        this.progressListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    private void committed(final RewrapJobState state) {
        progressListener.accept(state);
        final long now = clock.millis();
        if (state.getStatus() == RewrapJobStatus.RUNNING && now - lastProgressLine >= 5_000) {
            lastProgressLine = now;
            LOG.info("re-wrap job {}: {} DEKs scanned, {} re-wrapped, {} failed, {} objects scanned", state.getJob().getJobId(),
                    state.getDeksScanned(), state.getDeksRewrapped(), state.getDeksFailed(), state.getObjectsScanned());
        }
    }

    /** Runs (or resumes) the job to its end and returns its final checkpoint. */
    public RewrapJobState run(final RewrapJob job) {
        validate(job);
        final Optional<RewrapJobState> previous = log.jobState(job.getJobId());
        if (previous.isPresent() && !sameSelection(previous.get().getJob(), job)) {
            throw new IllegalArgumentException("job id " + job.getJobId() + " was already used for a different job spec");
        }
        if (previous.isPresent() && previous.get().getStatus() == RewrapJobStatus.COMPLETED) {
            LOG.info("re-wrap job {} already completed", job.getJobId());
            return previous.get();
        }
        log.acquire(); // fence any other lifecycle tool before reading what to do
        registry.refresh();
        // A FAILED job runs again from the start (DEKs already moved are skipped); a RUNNING one resumes.
        final boolean resume = previous.isPresent() && previous.get().getStatus() == RewrapJobStatus.RUNNING;
        final Progress progress = resume ? new Progress(previous.get()) : new Progress();
        if (!resume) {
            try (KeyAdminLog.Transaction tx = log.begin()) {
                final RewrapJobState started = progress.state(job, RewrapJobStatus.RUNNING, clock.instant(), null);
                tx.checkpoint(started);
                tx.rotation(events.rotation(RotationKind.JOB_STARTED, clock.instant()).setJobId(job.getJobId())
                        .setMessage(describe(job)).build());
                tx.commit();
                committed(started);
            }
        } else {
            LOG.info("resuming re-wrap job {} after {} ({} DEKs re-wrapped so far)", job.getJobId(),
                    progress.cursor, progress.rewrapped);
        }
        final Map<String, KekRef> current = new HashMap<>();
        if (job.getTenant() != null) {
            runOverObjects(job, progress, current);
        } else {
            runOverRegistry(job, progress, current);
        }
        final RewrapJobStatus status = progress.failed == 0 && progress.stale == 0 ? RewrapJobStatus.COMPLETED
                : RewrapJobStatus.FAILED;
        final String message = progress.failed > 0
                ? progress.failed + " DEKs could not be re-wrapped (see the REWRAP audit failures); run the job again"
                : progress.stale > 0 ? progress.stale + " DEKs were still under an old version after " + MAX_SWEEPS
                        + " sweeps (new ones kept appearing); run the job again" : null;
        final RewrapJobState done = progress.state(job, status, clock.instant(), message);
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.checkpoint(done);
            tx.rotation(progress.event(events.rotation(status == RewrapJobStatus.COMPLETED ? RotationKind.JOB_COMPLETED
                    : RotationKind.JOB_FAILED, clock.instant()).setJobId(job.getJobId()).setMessage(message)));
            tx.commit();
        }
        committed(done);
        LOG.info("re-wrap job {} {}: {} DEKs scanned, {} re-wrapped, {} objects scanned", job.getJobId(), status,
                progress.scanned, progress.rewrapped, progress.objects);
        return done;
    }

    private void runOverRegistry(final RewrapJob job, final Progress progress, final Map<String, KekRef> current) {
        List<String> batch = new ArrayList<>();
        for (final DataKeyRecord entry : registry.entries()) {
            if (progress.cursor != null && entry.getDekId().compareTo(progress.cursor) <= 0) {
                continue;
            }
            if (selected(job, entry)) {
                batch.add(entry.getDekId());
                if (batch.size() == batchSize) {
                    processBatch(job, batch, batch.get(batch.size() - 1), progress, current);
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) {
            processBatch(job, batch, batch.get(batch.size() - 1), progress, current);
        }
        // DEKs registered behind the cursor while the job ran, under a version that was current when they were made
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            registry.refresh();
            current.clear();
            final List<String> stale = new ArrayList<>();
            for (final DataKeyRecord entry : registry.entries()) {
                if (selected(job, entry) && !progress.failedIds.contains(entry.getDekId())
                        && !entry.getKek().equals(KeyReferences.of(currentVersion(entry, current)))) {
                    stale.add(entry.getDekId());
                }
            }
            progress.stale = stale.size();
            if (stale.isEmpty()) {
                return;
            }
            for (int i = 0; i < stale.size(); i += batchSize) {
                processBatch(job, stale.subList(i, Math.min(stale.size(), i + batchSize)), progress.cursor, progress, current);
            }
        }
    }

    private void runOverObjects(final RewrapJob job, final Progress progress, final Map<String, KekRef> current) {
        if (store == null) {
            throw new IllegalStateException("re-wrap job " + job.getJobId() + " selects objects but no object store is configured");
        }
        final String prefix = job.getTenant() + "/"
                + (job.getBucket() == null ? "" : job.getBucket() + "/" + (job.getPrefix() == null ? "" : job.getPrefix()));
        while (true) {
            final List<String> keys;
            try {
                keys = store.list(storeBucket, prefix, progress.cursor, batchSize);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot list " + storeBucket + "/" + prefix + ": " + e.getMessage(), e);
            }
            if (keys.isEmpty()) {
                return;
            }
            final Map<String, WrappedDataKey> fromHeaders = new java.util.LinkedHashMap<>();
            for (final String key : keys) {
                progress.objects++;
                final ObjectLocation location = new ObjectLocation(storeBucket, key);
                // A header key is claimed for the tenant bucket its object lies in; adoption checks that claim.
                final KeyScope scope = ObjectIdentity.ofDestination(location).map(ObjectIdentity::keyScope)
                        .orElse(KeyScope.UNSCOPED);
                headerKeyOf(job, location).ifPresent(w -> fromHeaders.putIfAbsent(w.dekId(), w.withScope(scope)));
            }
            adoptUnregistered(fromHeaders.values());
            final Set<String> dekIds = fromHeaders.keySet();
            final List<String> selected = new ArrayList<>();
            for (final String dekId : dekIds) {
                registry.find(dekId).filter(e -> selected(job, e)).ifPresent(e -> selected.add(dekId));
            }
            processBatch(job, selected, keys.get(keys.size() - 1), progress, current);
        }
    }

    /**
     * Objects written before the registry existed carry DEKs it does not know. They are adopted from the headers (an
     * entry as if just created, under the header's KEK version), so the job re-wraps them like any other and a later
     * destroy-version or shred sees them instead of silently cutting those objects off.
     */
    private void adoptUnregistered(final java.util.Collection<WrappedDataKey> headerKeys) {
        final List<WrappedDataKey> unknown = headerKeys.stream().filter(w -> registry.find(w.dekId()).isEmpty())
                .filter(this::madeForWhereItLies).toList();
        if (unknown.isEmpty()) {
            return;
        }
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            for (final WrappedDataKey wrapped : unknown) {
                tx.putDek(DekRecords.created(wrapped, now, events.service()));
                tx.rotation(events.rotation(RotationKind.DEK_CREATED, now).setDekId(wrapped.dekId())
                        .setKek(KeyReferences.of(wrapped.kek())).setReason("ADOPTED")
                        .setMessage("registered from an object header by a re-wrap job").build());
            }
            tx.commit();
        }
        registry.refresh();
        LOG.info("adopted {} data keys from object headers into the DEK registry", unknown.size());
    }

    /**
     * Whether the KMS unwraps the header's key for the tenant bucket its object lies in. A key made for another tenant
     * (a forged or copied object) is not adopted: the registry would otherwise vouch for it as that tenant's.
     */
    private boolean madeForWhereItLies(final WrappedDataKey claimed) {
        try (DataKey ignored = kms.unwrap(claimed)) {
            return true;
        } catch (final KeyUnwrapException | io.sealstream.kms.KeyNotFoundException e) {
            LOG.warn("not adopting data key {}: it was not made for {} ({})", claimed.dekId(), claimed.scope(),
                    e.getMessage());
            return false;
        }
    }

    /** The wrapped DEK in the object's header, if the object matches the job's metadata filters and is an envelope. */
    private Optional<WrappedDataKey> headerKeyOf(final RewrapJob job, final ObjectLocation location) {
        try {
            if (!job.getMetadata().isEmpty()) {
                final Optional<StoredObject> head = store.head(location);
                if (head.isEmpty() || !head.get().metadata().entrySet().containsAll(job.getMetadata().entrySet())) {
                    return Optional.empty();
                }
            }
            final Optional<WrappedDataKey> key = new EncryptedObjectStore(store).headerKeyOf(location);
            if (key.isEmpty()) {
                LOG.warn("skipping {}: gone, or not a sealstream envelope", location);
            }
            return key;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the header of " + location + ": " + e.getMessage(), e);
        }
    }

    private static boolean selected(final RewrapJob job, final DataKeyRecord entry) {
        if (DekRecords.isShredded(entry)) {
            return false;
        }
        if (job.getKekId() != null && !entry.getKek().getKeyId().equals(job.getKekId())) {
            return false;
        }
        if (job.getCreatedAfter() != null && !entry.getCreatedAt().isAfter(job.getCreatedAfter())) {
            return false;
        }
        return job.getCreatedBefore() == null || entry.getCreatedAt().isBefore(job.getCreatedBefore());
    }

    private KekRef currentVersion(final DataKeyRecord entry, final Map<String, KekRef> current) {
        return current.computeIfAbsent(entry.getKek().getKeyId(), id -> kms.describeKey(id).currentRef());
    }

    private void processBatch(final RewrapJob job, final List<String> dekIds, final String cursor, final Progress progress,
                              final Map<String, KekRef> current) {
        final Progress next = progress.copy();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            for (final String dekId : dekIds) {
                final Optional<DataKeyRecord> found = registry.find(dekId);
                if (found.isEmpty() || DekRecords.isShredded(found.get()) || next.failedIds.contains(dekId)) {
                    continue;
                }
                final DataKeyRecord entry = found.get();
                next.scanned++;
                final KekRef from = KeyReferences.of(entry.getKek());
                if (from.equals(currentVersion(entry, current))) {
                    continue;
                }
                final Instant now = clock.instant();
                final WrappedDataKey rewrapped;
                try {
                    rewrapped = kms.rewrap(DekRecords.wrapped(entry));
                } catch (final KmsException e) {
                    if (e.isTransient()) {
                        throw e; // nothing of this batch commits; the job resumes here when run again
                    }
                    next.failed++;
                    next.failedIds.add(dekId);
                    tx.audit(events.keyAudit(AuditAction.REWRAP, AuditOutcome.FAILURE,
                            "rewrap:" + job.getJobId() + ":" + dekId + ":failed", dekId, from, e.getMessage(), now));
                    continue;
                }
                if (rewrapped.kek().equals(from)) {
                    continue;
                }
                tx.putDek(DekRecords.rewrapped(entry, rewrapped, now, events.service()));
                tx.rotation(events.dekRewrapped(dekId, from, rewrapped.kek(), job.getJobId(), now));
                tx.audit(events.keyAudit(AuditAction.REWRAP, AuditOutcome.SUCCESS,
                        "rewrap:" + job.getJobId() + ":" + dekId + ":" + rewrapped.kek().version(), dekId, rewrapped.kek(),
                        "re-wrapped from " + from + " by job " + job.getJobId(), now));
                next.rewrapped++;
            }
            next.cursor = cursor;
            final RewrapJobState state = next.state(job, RewrapJobStatus.RUNNING, clock.instant(), null);
            tx.checkpoint(state);
            tx.rotation(next.event(events.rotation(RotationKind.JOB_PROGRESS, clock.instant()).setJobId(job.getJobId())));
            tx.commit();
            committed(state);
        }
        progress.take(next);
        registry.refresh();
        if (!pauseBetweenBatches.isZero()) {
            try {
                Thread.sleep(pauseBetweenBatches.toMillis());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("re-wrap job " + job.getJobId() + " interrupted", e);
            }
        }
    }

    /** Whether two specs select the same DEKs (who submitted them and when does not matter). */
    static boolean sameSelection(final RewrapJob a, final RewrapJob b) {
        return Objects.equals(a.getKekId(), b.getKekId()) && Objects.equals(a.getTenant(), b.getTenant())
                && Objects.equals(a.getBucket(), b.getBucket()) && Objects.equals(a.getPrefix(), b.getPrefix())
                && Objects.equals(a.getCreatedAfter(), b.getCreatedAfter())
                && Objects.equals(a.getCreatedBefore(), b.getCreatedBefore())
                && Objects.equals(a.getMetadata(), b.getMetadata());
    }

    static void validate(final RewrapJob job) {
        if (job.getJobId() == null || !job.getJobId().matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("job id must be 1 to 128 characters from A-Z a-z 0-9 . _ -");
        }
        if (job.getBucket() != null && job.getTenant() == null) {
            throw new IllegalArgumentException("a job that names a bucket must name its tenant");
        }
        if (job.getPrefix() != null && job.getBucket() == null) {
            throw new IllegalArgumentException("a job that names a prefix must name its tenant and bucket");
        }
        if (!job.getMetadata().isEmpty() && job.getTenant() == null) {
            throw new IllegalArgumentException("metadata filters select objects: name the tenant too");
        }
    }

    static String describe(final RewrapJob job) {
        final StringBuilder s = new StringBuilder("re-wrap");
        if (job.getKekId() != null) {
            s.append(" kek=").append(job.getKekId());
        }
        if (job.getTenant() != null) {
            s.append(" objects=").append(job.getTenant()).append('/')
                    .append(job.getBucket() == null ? "*" : job.getBucket() + "/" + (job.getPrefix() == null ? "*" : job.getPrefix() + "*"));
        }
        if (job.getCreatedAfter() != null) {
            s.append(" created-after=").append(job.getCreatedAfter());
        }
        if (job.getCreatedBefore() != null) {
            s.append(" created-before=").append(job.getCreatedBefore());
        }
        job.getMetadata().forEach((k, v) -> s.append(" meta:").append(k).append('=').append(v));
        return s.toString();
    }

    /** Counters and cursor of a job, as committed. */
    private static final class Progress {
        String cursor;
        long scanned;
        long rewrapped;
        long objects;
        long failed;
        /** DEKs refused in this run: not tried again by the sweeps (their failure is already counted and audited). */
        java.util.Set<String> failedIds = new java.util.HashSet<>();
        /** Entries a sweep still found under an old version. */
        long stale;

        Progress() {
        }

        Progress(final RewrapJobState state) {
            this.cursor = state.getCursor();
            this.scanned = state.getDeksScanned();
            this.rewrapped = state.getDeksRewrapped();
            this.objects = state.getObjectsScanned();
            this.failed = state.getDeksFailed();
        }

        Progress copy() {
            final Progress p = new Progress();
            p.take(this);
            return p;
        }

        void take(final Progress other) {
            cursor = other.cursor;
            scanned = other.scanned;
            rewrapped = other.rewrapped;
            objects = other.objects;
            failed = other.failed;
            failedIds = new java.util.HashSet<>(other.failedIds);
            stale = other.stale;
        }

        RewrapJobState state(final RewrapJob job, final RewrapJobStatus status, final Instant at, final String message) {
            return RewrapJobState.newBuilder().setJob(job).setStatus(status).setCursor(cursor).setDeksScanned(scanned)
                    .setDeksRewrapped(rewrapped).setObjectsScanned(objects).setDeksFailed(failed).setUpdatedAt(at)
                    .setMessage(message).build();
        }

        io.sealstream.events.RotationEvent event(final io.sealstream.events.RotationEvent.Builder builder) {
            return builder.setDeksScanned(scanned).setDeksRewrapped(rewrapped).setObjectsScanned(objects).build();
        }
    }
}
