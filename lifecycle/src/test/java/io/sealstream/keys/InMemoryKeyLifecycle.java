package io.sealstream.keys;

import io.sealstream.audit.AuditLog;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.DataKeyState;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.events.RotationEvent;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The DEK registry, lifecycle log and audit log in memory with the Kafka implementations' visibility rules: a step's
 * writes become visible only when it commits; an aborted step leaves nothing. For unit tests of the lifecycle logic.
 */
final class InMemoryKeyLifecycle implements DekRegistry, KeyAdminLog, AuditLog {

    private final Map<String, DataKeyRecord> entries = new TreeMap<>();
    private final Map<String, DataKeyRecord> retired = new TreeMap<>();
    private final Map<String, RewrapJobState> jobs = new TreeMap<>();
    private final List<RewrapJob> submitted = new ArrayList<>();
    final List<RotationEvent> rotations = new CopyOnWriteArrayList<>();
    final List<AuditEvent> audits = new CopyOnWriteArrayList<>();
    final AtomicBoolean registryDown = new AtomicBoolean();
    final AtomicBoolean auditDown = new AtomicBoolean();
    int commits;

    // ---------------------------------------------------------------- DekRegistry

    @Override
    public synchronized void registerCreated(final WrappedDataKey key, final Instant createdAt, final String service) {
        if (registryDown.get()) {
            throw new IllegalStateException("registry down (test)");
        }
        entries.put(key.dekId(), DekRecords.created(key, createdAt, service));
    }

    @Override
    public synchronized void markRetired(final String dekId, final KekRef createdKek, final Instant retiredAt,
                                         final String service) {
        retired.put(dekId, DekRecords.retiredMarker(dekId, createdKek, retiredAt, service));
    }

    @Override
    public void refresh() {
    }

    @Override
    public synchronized Optional<DataKeyRecord> find(final String dekId) {
        return Optional.ofNullable(entries.get(dekId)).map(this::merged);
    }

    @Override
    public synchronized List<DataKeyRecord> entries() {
        return entries.values().stream().map(this::merged).toList();
    }

    private DataKeyRecord merged(final DataKeyRecord e) {
        final DataKeyRecord marker = retired.get(e.getDekId());
        return marker == null || e.getState() != DataKeyState.ACTIVE ? e
                : DataKeyRecord.newBuilder(e).setState(DataKeyState.RETIRED).setRetiredAt(marker.getRetiredAt()).build();
    }

    // ---------------------------------------------------------------- KeyAdminLog

    @Override
    public Transaction begin() {
        return new Transaction() {
            final List<Runnable> writes = new ArrayList<>();

            @Override
            public void putDek(final DataKeyRecord entry) {
                writes.add(() -> entries.put(entry.getDekId(), entry));
            }

            @Override
            public void rotation(final RotationEvent event) {
                writes.add(() -> rotations.add(event));
            }

            @Override
            public void audit(final AuditEvent event) {
                writes.add(() -> audits.add(event));
            }

            @Override
            public void checkpoint(final RewrapJobState state) {
                writes.add(() -> jobs.put(state.getJob().getJobId(), state));
            }

            @Override
            public void commit() {
                synchronized (InMemoryKeyLifecycle.this) {
                    writes.forEach(Runnable::run);
                    writes.clear();
                    commits++;
                }
            }

            @Override
            public void close() {
                writes.clear();
            }
        };
    }

    @Override
    public synchronized Optional<RewrapJobState> jobState(final String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public synchronized List<RewrapJob> pendingJobs() {
        return submitted.stream().filter(j -> jobs.get(j.getJobId()) == null
                || jobs.get(j.getJobId()).getStatus() != RewrapJobStatus.COMPLETED).toList();
    }

    @Override
    public synchronized void submit(final RewrapJob job) {
        submitted.add(job);
    }

    // ---------------------------------------------------------------- AuditLog

    @Override
    public void record(final AuditEvent event) {
        if (auditDown.get()) {
            throw new IllegalStateException("audit trail unreachable (test)");
        }
        audits.add(event);
    }

    @Override
    public void close() {
    }
}
