package io.sealstream.pipeline;

import io.sealstream.objects.KeyReferences;

import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.cache.DataKeyCacheListener;
import io.sealstream.pipeline.RotationEvents;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns the data-key cache's life-cycle callbacks into rotation events. A DEK's creation is a fact of the KMS, not
 * of a Kafka transaction, so these events are published at least once as they happen, keyed by DEK id.
 */
public final class RotationListener implements DataKeyCacheListener {

    private final RotationEvents events;
    private final String service;
    private final Clock clock;

    public RotationListener(final RotationEvents events, final String service, final Clock clock) {
        this.events = events;
        this.service = service;
        this.clock = clock;
    }

    @Override
    public void onDataKeyCreated(final WrappedDataKey key) {
        events.publish(event(RotationKind.DEK_CREATED, key, null));
    }

    @Override
    public void onDataKeyRetired(final WrappedDataKey key, final RetireReason reason) {
        events.publish(event(RotationKind.DEK_RETIRED, key, reason.name()));
    }

    private RotationEvent event(final RotationKind kind, final WrappedDataKey key, final String reason) {
        return RotationEvent.newBuilder()
                .setKind(kind)
                .setTime(Instant.ofEpochMilli(clock.millis()))
                .setService(service)
                .setDekId(key.dekId())
                .setKek(KeyReferences.of(key.kek()))
                .setReason(reason)
                .build();
    }
}
