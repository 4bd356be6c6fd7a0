package io.sealstream.keys;
import io.sealstream.objects.KeyReferences;

import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.DataKeyState;
import io.sealstream.events.KeyReference;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.WrappedDataKey;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds and reads DEK registry entries ({@link DataKeyRecord}). Every state change goes through here, so the rules
 * stay in one place: an entry's wrap history only grows, a shredded entry never carries a wrapped key again.
 */
public final class DekRecords {

    static {
        // copying a record through its builder loads the generated classes through Avro's class validator
        io.sealstream.serde.GeneratedAvroTypes.trust();
    }

    private DekRecords() {
    }

    /** The entry of a DEK just created under {@code key.kek()}: ACTIVE, wrapped as the KMS returned it. */
    public static DataKeyRecord created(final WrappedDataKey key, final Instant at, final String service) {
        final KeyReference ref = KeyReferences.of(key.kek());
        return DataKeyRecord.newBuilder()
                .setDekId(key.dekId())
                .setState(DataKeyState.ACTIVE)
                .setKek(ref)
                .setWrappedKey(ByteBuffer.wrap(key.ciphertext()))
                .setCreatedKek(ref)
                .setWrapHistory(List.of(ref))
                .setCreatedAt(at)
                .setUpdatedAt(at)
                .setService(service)
                .setScopeTenant(key.scope().isScoped() ? key.scope().tenant() : null)
                .setScopeBucket(key.scope().isScoped() ? key.scope().bucket() : null)
                .build();
    }

    /** The tenant bucket the DEK was created for ({@link KeyScope#UNSCOPED} for an entry that names none). */
    public static KeyScope scope(final DataKeyRecord entry) {
        if (entry.getScopeTenant() == null || entry.getScopeBucket() == null
                || entry.getScopeTenant().isEmpty() || entry.getScopeBucket().isEmpty()) {
            return KeyScope.UNSCOPED;
        }
        return KeyScope.of(entry.getScopeTenant(), entry.getScopeBucket());
    }

    /** The marker the pipeline writes when it stops using a DEK (under its own key, so it never clobbers a re-wrap). */
    public static DataKeyRecord retiredMarker(final String dekId, final KekRef createdKek, final Instant at,
                                              final String service) {
        final KeyReference ref = KeyReferences.of(createdKek);
        return DataKeyRecord.newBuilder()
                .setDekId(dekId)
                .setState(DataKeyState.RETIRED)
                .setKek(null)
                .setWrappedKey(null)
                .setCreatedKek(ref)
                .setWrapHistory(List.of())
                .setCreatedAt(at)
                .setUpdatedAt(at)
                .setRetiredAt(at)
                .setService(service)
                .build();
    }

    /** {@code entry} with the DEK now wrapped as {@code rewrapped} (same DEK id, newer KEK version). */
    public static DataKeyRecord rewrapped(final DataKeyRecord entry, final WrappedDataKey rewrapped, final Instant at,
                                          final String service) {
        requireUsable(entry);
        if (!entry.getDekId().equals(rewrapped.dekId())) {
            throw new IllegalArgumentException("re-wrapped key " + rewrapped.dekId() + " is not DEK " + entry.getDekId());
        }
        final KeyReference ref = KeyReferences.of(rewrapped.kek());
        final List<KeyReference> history = new ArrayList<>(entry.getWrapHistory());
        if (!history.contains(ref)) {
            history.add(ref);
        }
        return DataKeyRecord.newBuilder(entry)
                .setKek(ref)
                .setWrappedKey(ByteBuffer.wrap(rewrapped.ciphertext()))
                .setWrapHistory(history)
                .setUpdatedAt(at)
                .setService(service)
                .build();
    }

    /** {@code entry} shredded: no wrapped key, state SHREDDED; the history says which KEK versions had held it. */
    public static DataKeyRecord shredded(final DataKeyRecord entry, final Instant at, final String service) {
        return DataKeyRecord.newBuilder(entry)
                .setState(DataKeyState.SHREDDED)
                .setKek(null)
                .setWrappedKey(null)
                .setShreddedAt(at)
                .setUpdatedAt(at)
                .setService(service)
                .build();
    }

    /** The registry's current wrapped form of the DEK. */
    public static WrappedDataKey wrapped(final DataKeyRecord entry) {
        requireUsable(entry);
        final ByteBuffer bytes = entry.getWrappedKey().duplicate();
        final byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return new WrappedDataKey(entry.getDekId(), KeyReferences.of(entry.getKek()), copy, scope(entry));
    }

    /** Every KEK version that has ever held this DEK wrapped (the creation version first). */
    public static List<KekRef> versionsHolding(final DataKeyRecord entry) {
        final List<KekRef> versions = new ArrayList<>();
        versions.add(KeyReferences.of(entry.getCreatedKek()));
        for (final KeyReference ref : entry.getWrapHistory()) {
            final KekRef kek = KeyReferences.of(ref);
            if (!versions.contains(kek)) {
                versions.add(kek);
            }
        }
        return versions;
    }

    public static boolean isShredded(final DataKeyRecord entry) {
        return entry.getState() == DataKeyState.SHREDDED;
    }

    private static void requireUsable(final DataKeyRecord entry) {
        Objects.requireNonNull(entry, "entry");
        if (isShredded(entry) || entry.getKek() == null || entry.getWrappedKey() == null) {
            throw new KeyShreddedException("data key " + entry.getDekId() + " was shredded"
                    + (entry.getShreddedAt() == null ? "" : " at " + entry.getShreddedAt()));
        }
    }

}
