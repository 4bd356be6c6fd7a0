package io.sealstream.keys;

import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryptor;
import io.sealstream.envelope.Preset;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.DataKeyState;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.pipeline.ObjectIdentity;
import io.sealstream.pipeline.ObjectMetadata;
import io.sealstream.store.NonClosingOutputStream;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Shreds one object's key. An object's key is derived from its DEK, which other objects may share, so the object
 * alone cannot lose its key: the other objects under that DEK ("siblings", found by listing the store bucket) are
 * first re-encrypted, streaming, under a new DEK at their own location, and then the DEK itself is shredded
 * ({@link KeyLifecycle#shredDek}). Only the target object stays behind, undecryptable by anyone.
 *
 * <p>Costs a listing of the store bucket and a re-encryption of each sibling; the siblings' ObjectEncrypted events
 * then name a DEK and digest they no longer have (the REWRAP audit events name the new ones).
 */
public final class ObjectShredder {

    private final KeyManagementService registeringKms;
    private final DekRegistry registry;
    private final ObjectStore store;
    private final KeyLifecycle lifecycle;
    private final KeyAdminLog log;
    private final LifecycleEvents events;
    private final Clock clock;

    /**
     * @param registeringKms a KMS stack that records new DEKs in the registry (the siblings' new DEK must be known)
     */
    public ObjectShredder(final KeyManagementService registeringKms, final DekRegistry registry, final ObjectStore store,
                          final KeyLifecycle lifecycle, final KeyAdminLog log, final LifecycleEvents events,
                          final Clock clock) {
        this.registeringKms = Objects.requireNonNull(registeringKms, "registeringKms");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.store = Objects.requireNonNull(store, "store");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
        this.log = Objects.requireNonNull(log, "log");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public KeyLifecycle.Shred shred(final ObjectLocation target, final boolean force) {
        final String dekId = dekIdOf(target).orElseThrow(() -> new IllegalArgumentException(target + " is not a sealstream object"));
        registry.refresh();
        final DataKeyRecord entry = registry.find(dekId)
                .orElseThrow(() -> new KeyNotFoundException("DEK " + dekId + " of " + target + " is not in the registry"));
        if (entry.getState() == DataKeyState.ACTIVE && !force) {
            throw new IllegalStateException("DEK " + dekId + " of " + target + " is still ACTIVE: a pipeline may encrypt "
                    + "new objects with it. Rotate its KEK first (pipelines then retire it) or pass --force");
        }
        final List<ObjectLocation> siblings = new ArrayList<>();
        if (!DekRecords.isShredded(entry)) {
            forEachObject(target.bucket(), location -> {
                if (!location.equals(target) && dekIdOf(location).filter(dekId::equals).isPresent()) {
                    siblings.add(location);
                }
            });
            final RegistryDataKeyResolver resolver = new RegistryDataKeyResolver(registry, registeringKms, false);
            if (!siblings.isEmpty()) {
                // One new DEK for all siblings (each still gets its own object key from its own salt), registered once.
                try (DataKey fresh = registeringKms.generateDataKey(entry.getKek().getKeyId())) {
                    for (final ObjectLocation sibling : siblings) {
                        reencrypt(sibling, resolver, dekId, fresh);
                    }
                }
            }
        }
        final KeyLifecycle.Shred shred = lifecycle.shredDek(dekId, true);
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.rotation(events.rotation(io.sealstream.events.RotationKind.DEK_SHREDDED, now).setDekId(dekId)
                    .setLocation(target.toUri()).setMessage("object key shredded; " + siblings.size()
                            + " other objects re-encrypted under a new data key").build());
            tx.audit(events.audit(AuditAction.SHRED, AuditOutcome.SUCCESS, "shred-object:" + target.toUri(), now)
                    .setLocation(target.toUri()).setDekId(dekId).setKek(entry.getCreatedKek())
                    .setMessage(shred.incomplete().isPresent()
                            ? "object key shredded in the registry only (" + shred.incomplete().get() + "); "
                                    + siblings.size() + " sibling objects re-encrypted"
                            : "object key shredded; " + siblings.size() + " sibling objects re-encrypted").build());
            tx.commit();
        }
        return shred;
    }

    private void reencrypt(final ObjectLocation sibling, final RegistryDataKeyResolver resolver, final String oldDekId,
                           final DataKey fresh) {
        final String[] parts = sibling.key().split("/", 3);
        if (parts.length < 3) {
            throw new IllegalStateException("cannot tell the encryption context of " + sibling + " from its key");
        }
        final ObjectIdentity identity = new ObjectIdentity(parts[0], parts[1], parts[2]);
        try {
            final StoredObject head = store.head(sibling).orElseThrow(() -> new IOException(sibling + " disappeared"));
            final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(resolver);
            final Map<String, String> metadata = new LinkedHashMap<>(head.metadata());
            final String[] newDek = new String[1];
            try (InputStream source = store.get(sibling);
                 DecryptingInputStream plain = decryptor.decryptingStream(source, identity.encryptionContext());
                 DataKey dek = fresh.copy()) {
                requireUnchanged(sibling, head, oldDekId);
                final Preset preset = presetFor(plain.header().segmentSize());
                newDek[0] = dek.dekId();
                metadata.put(ObjectMetadata.DEK_ID, dek.dekId());
                metadata.put(ObjectMetadata.KEK_PROVIDER, dek.kek().provider());
                metadata.put(ObjectMetadata.KEK_ID, dek.kek().keyId());
                metadata.put(ObjectMetadata.KEK_VERSION, dek.kek().version());
                store.put(sibling, metadata, out -> {
                    try (EncryptingOutputStream sealed = new EnvelopeEncryptor(preset, false)
                            .encryptingStream(new NonClosingOutputStream(out), dek, identity.encryptionContext())) {
                        plain.transferTo(sealed);
                    }
                });
            }
            final Instant now = clock.instant();
            try (KeyAdminLog.Transaction tx = log.begin()) {
                tx.audit(events.audit(AuditAction.REWRAP, AuditOutcome.SUCCESS,
                                "reencrypt:" + sibling.toUri() + ":" + newDek[0], now)
                        .setLocation(sibling.toUri()).setTenant(identity.tenant()).setBucket(identity.bucket())
                        .setObjectKey(identity.objectKey()).setDekId(newDek[0])
                        .setMessage("re-encrypted from DEK " + oldDekId + " before that DEK is shredded").build());
                tx.commit();
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot re-encrypt " + sibling + ": " + e.getMessage(), e);
        }
    }

    /**
     * Narrows (does not close) the window in which the pipeline replaces the sibling with a newer upload while it is
     * being re-encrypted: the store has no conditional write, so a replacement in the last moment is overwritten.
     */
    private void requireUnchanged(final ObjectLocation sibling, final StoredObject before, final String oldDekId)
            throws IOException {
        final Optional<StoredObject> now = store.head(sibling);
        if (now.isEmpty() || !oldDekId.equals(now.get().metadata().get(ObjectMetadata.DEK_ID))
                || !java.util.Objects.equals(before.metadata().get(ObjectMetadata.EVENT_ID),
                        now.get().metadata().get(ObjectMetadata.EVENT_ID))) {
            throw new IllegalStateException(sibling + " changed while its key was being replaced; run the shred again");
        }
    }

    /** The sibling keeps its segment size. */
    private static Preset presetFor(final int segmentSize) {
        for (final Preset preset : Preset.values()) {
            if (preset.segmentSize() == segmentSize) {
                return preset;
            }
        }
        return Preset.DEFAULT;
    }

    private Optional<String> dekIdOf(final ObjectLocation location) {
        try {
            final Optional<StoredObject> head = store.head(location);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            final String fromMetadata = head.get().metadata().get(ObjectMetadata.DEK_ID);
            if (fromMetadata != null) {
                return Optional.of(fromMetadata);
            }
            try (InputStream in = store.get(location)) {
                return Optional.of(EnvelopeDecryptor.readHeader(in).wrappedDataKey().dekId());
            }
        } catch (final io.sealstream.envelope.MalformedEnvelopeException e) {
            return Optional.empty();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    private void forEachObject(final String bucket, final java.util.function.Consumer<ObjectLocation> action) {
        String after = null;
        while (true) {
            final List<String> keys;
            try {
                keys = store.list(bucket, "", after, 1000);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot list " + bucket + ": " + e.getMessage(), e);
            }
            if (keys.isEmpty()) {
                return;
            }
            keys.forEach(k -> action.accept(new ObjectLocation(bucket, k)));
            after = keys.get(keys.size() - 1);
        }
    }
}
