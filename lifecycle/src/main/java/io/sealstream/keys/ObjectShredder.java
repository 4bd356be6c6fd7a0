package io.sealstream.keys;

import io.sealstream.objects.EncryptedObjectStore;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.DataKeyState;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(ObjectShredder.class);

    private final KeyManagementService registeringKms;
    private final DekRegistry registry;
    private final ObjectStore store;
    private final EncryptedObjectStore objects;
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
        this.objects = new EncryptedObjectStore(store);
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
            final KeyScope scope = DekRecords.scope(entry);
            forEachObject(target.bucket(), location -> {
                if (!location.equals(target) && dekIdOf(location).filter(dekId::equals).isPresent()) {
                    if (ObjectIdentity.ofDestination(location).map(ObjectIdentity::keyScope).filter(scope::equals)
                            .isPresent()) {
                        siblings.add(location);
                    } else {
                        // Names the DEK from outside its tenant bucket: no genuine object, and no reader accepts it.
                        LOG.warn("{} names data key {} of {} but lies outside it; not re-encrypted", location, dekId, scope);
                    }
                }
            });
            final RegistryDataKeyResolver resolver = new RegistryDataKeyResolver(registry, registeringKms, true, null);
            if (!siblings.isEmpty()) {
                // One new DEK for all siblings (each still gets its own object key from its own salt), registered once.
                try (DataKey fresh = registeringKms.generateDataKey(entry.getKek().getKeyId(), DekRecords.scope(entry))) {
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
        final EncryptedObjectStore.Written written;
        try {
            written = objects.reencrypt(sibling, resolver, oldDekId, fresh);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot re-encrypt " + sibling + ": " + e.getMessage(), e);
        }
        final ObjectIdentity identity = ObjectIdentity.ofDestination(sibling).orElseThrow();
        final Instant now = clock.instant();
        try (KeyAdminLog.Transaction tx = log.begin()) {
            tx.audit(events.audit(AuditAction.REWRAP, AuditOutcome.SUCCESS,
                            "reencrypt:" + sibling.toUri() + ":" + written.dekId(), now)
                    .setLocation(sibling.toUri()).setTenant(identity.tenant()).setBucket(identity.bucket())
                    .setObjectKey(identity.objectKey()).setDekId(written.dekId())
                    .setMessage("re-encrypted from DEK " + oldDekId + " before that DEK is shredded").build());
            tx.commit();
        }
    }

    private Optional<String> dekIdOf(final ObjectLocation location) {
        try {
            return objects.dekIdOf(location);
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
