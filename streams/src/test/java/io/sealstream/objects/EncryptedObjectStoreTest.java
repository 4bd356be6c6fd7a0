package io.sealstream.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.store.FilesystemObjectStore;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the encrypt path, shredding, re-wrap jobs and reads rely on from the one home of encrypted objects. */
class EncryptedObjectStoreTest {

    private static final String KEK = "objects-test-kek";
    private static final byte[] PLAINTEXT = "a payload that must never rest in the store".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private LocalKeyStoreKms kms;
    private ObjectStore store;
    private EncryptedObjectStore objects;
    private final ObjectIdentity identity = new ObjectIdentity("acme", "invoices", "2026/12/inv 1.pdf");
    private ObjectLocation destination;

    @BeforeEach
    void open() {
        kms = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "objects-test-pass".toCharArray());
        kms.createKey(KEK);
        store = new FilesystemObjectStore(dir.resolve("store"));
        objects = new EncryptedObjectStore(store);
        destination = identity.destination("sealed");
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        kms.close();
    }

    private EncryptedObjectStore.Written write(final DataKey dek, final String eventId) throws IOException {
        return objects.write(destination, identity, dek, Preset.DEFAULT, eventId, PLAINTEXT.length,
                out -> out.write(PLAINTEXT), null);
    }

    private byte[] read(final ObjectIdentity as) throws IOException {
        final ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (DecryptingInputStream in = objects.open(destination, as, kms::unwrap)) {
            in.transferTo(plain);
        }
        return plain.toByteArray();
    }

    @Test
    void writtenObjectsOpenAsTheirIdentityOnlyAndHoldNoPlaintext() throws IOException {
        final AtomicLong encrypted = new AtomicLong();
        final EncryptedObjectStore.Written written;
        try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
            written = objects.write(destination, identity, dek, Preset.DEFAULT, "event-1", PLAINTEXT.length,
                    out -> out.write(PLAINTEXT), encrypted::set);
        }
        assertThat(encrypted).hasValue(PLAINTEXT.length);
        assertThat(written.plaintextBytes()).isEqualTo(PLAINTEXT.length);
        assertThat(read(identity)).isEqualTo(PLAINTEXT);
        final byte[] stored = store.get(destination).readAllBytes();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("never rest");
        assertThat(store.head(destination).orElseThrow().metadata())
                .containsEntry(ObjectMetadata.DEK_ID, written.dekId())
                .containsEntry(ObjectMetadata.EVENT_ID, "event-1");
        // the same bytes under another tenant's identity (a copied object) do not open
        assertThatThrownBy(() -> read(new ObjectIdentity("other", "invoices", "2026/12/inv 1.pdf")))
                .isInstanceOf(EnvelopeException.class);
    }

    @Test
    void aFailingPlaintextSourceLeavesNothingInTheStore() throws IOException {
        try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
            assertThatThrownBy(() -> objects.write(destination, identity, dek, Preset.DEFAULT, "event-1", 1_000_000,
                    out -> {
                        out.write(PLAINTEXT);
                        throw new IOException("staging read failed");
                    }, null)).hasMessageContaining("staging read failed");
        }
        assertThat(store.head(destination)).isEmpty();
    }

    @Test
    void anObjectWrittenForAnEventIsRecognisedWithItsStoredDigest() throws IOException {
        final EncryptedObjectStore.Written written;
        try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
            written = write(dek, "event-1");
        }
        final EncryptedObjectStore.Written again = objects.writtenBy(destination, "event-1").orElseThrow();
        assertThat(again.ciphertextDigest()).isEqualTo(written.ciphertextDigest());
        assertThat(again.ciphertextBytes()).isEqualTo(written.ciphertextBytes());
        assertThat(again.dekId()).isEqualTo(written.dekId());
        assertThat(objects.writtenBy(destination, "event-2")).isEmpty();
        assertThat(objects.writtenBy(identity.destination("elsewhere"), "event-1")).isEmpty();
        assertThat(objects.dekIdOf(destination)).contains(written.dekId());
        assertThat(objects.headerKeyOf(destination).orElseThrow().dekId()).isEqualTo(written.dekId());
    }

    @Test
    void objectsOfEverySegmentShapeAreRecognisedWhenComplete() throws IOException {
        final int segment = Preset.DEFAULT.segmentSize();
        for (final int size : new int[] {0, 1, segment - 1, segment, segment + 1, 2 * segment}) {
            final byte[] payload = new byte[size];
            try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
                objects.write(destination, identity, dek, Preset.DEFAULT, "event-" + size, size, out -> out.write(payload),
                        null);
            }
            assertThat(objects.writtenBy(destination, "event-" + size)).as("%d bytes", size).isPresent();
        }
    }

    @Test
    void aTruncatedObjectIsNotTakenForAWrittenOne() throws IOException {
        try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
            write(dek, "event-1");
        }
        final Map<String, String> metadata = store.head(destination).orElseThrow().metadata();
        final byte[] stored = store.get(destination).readAllBytes();
        store.put(destination, metadata, out -> out.write(stored, 0, stored.length - 10));
        assertThat(objects.writtenBy(destination, "event-1")).isEmpty();
    }

    @Test
    void reencryptionMovesTheObjectToTheNewKeyAndRefusesAChangedObject() throws IOException {
        final String oldDek;
        try (DataKey dek = kms.generateDataKey(KEK, identity.keyScope())) {
            oldDek = write(dek, "event-1").dekId();
        }
        try (DataKey fresh = kms.generateDataKey(KEK, identity.keyScope())) {
            final EncryptedObjectStore.Written moved = objects.reencrypt(destination, kms::unwrap, oldDek, fresh);
            assertThat(moved.dekId()).isEqualTo(fresh.dekId()).isNotEqualTo(oldDek);
            assertThat(objects.dekIdOf(destination)).contains(fresh.dekId());
            assertThat(store.head(destination).orElseThrow().metadata()).containsEntry(ObjectMetadata.EVENT_ID, "event-1");
            assertThat(read(identity)).isEqualTo(PLAINTEXT);
            // the object is no longer under the old key: a second re-encryption from it is refused, nothing changes
            assertThatThrownBy(() -> objects.reencrypt(destination, kms::unwrap, oldDek, fresh))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("changed");
            assertThat(objects.dekIdOf(destination)).contains(fresh.dekId());
        }
    }

    @Test
    void theIdentityOfADestinationIsReadBackFromItsKey() {
        assertThat(ObjectIdentity.ofDestination(destination)).contains(identity);
        assertThat(ObjectIdentity.ofDestination(new ObjectLocation("sealed", "only/two"))).isEmpty();
    }
}
