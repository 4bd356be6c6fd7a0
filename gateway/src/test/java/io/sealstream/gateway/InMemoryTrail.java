package io.sealstream.gateway;

import io.sealstream.audit.AuditLog;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.keys.DekRecords;
import io.sealstream.keys.DekRegistry;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.WrappedDataKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DEK registry and audit log in memory for the gateway's tests. Entries registered become visible to readers only
 * at the next {@link #refresh()}, as with the Kafka registry, so the gateway's refresh-on-miss path is exercised.
 */
final class InMemoryTrail implements DekRegistry, AuditLog {

    private final Map<String, DataKeyRecord> written = new ConcurrentHashMap<>();
    private final Map<String, DataKeyRecord> visible = new ConcurrentHashMap<>();
    final List<AuditEvent> audits = new CopyOnWriteArrayList<>();
    final AtomicInteger refreshes = new AtomicInteger();

    @Override
    public void registerCreated(final WrappedDataKey key, final Instant createdAt, final String service) {
        written.put(key.dekId(), DekRecords.created(key, createdAt, service));
    }

    @Override
    public void markRetired(final String dekId, final KekRef createdKek, final Instant retiredAt, final String service) {
    }

    @Override
    public void refresh() {
        refreshes.incrementAndGet();
        visible.putAll(written);
    }

    @Override
    public Optional<DataKeyRecord> find(final String dekId) {
        return Optional.ofNullable(visible.get(dekId));
    }

    @Override
    public List<DataKeyRecord> entries() {
        return new ArrayList<>(visible.values());
    }

    @Override
    public void record(final AuditEvent event) {
        audits.add(event);
    }

    @Override
    public void close() {
    }
}
