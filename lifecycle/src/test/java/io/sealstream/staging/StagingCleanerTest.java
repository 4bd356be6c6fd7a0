package io.sealstream.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.audit.AuditLog;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.KeyReference;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.store.FilesystemObjectStore;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner's safety rules, one committed ObjectEncrypted at a time: it deletes a staging object only when the
 * ciphertext of that very upload is in the store and the staging object is still what was encrypted; a replay is
 * idempotent and records the same audit id; keep and tag modes behave as configured.
 */
class StagingCleanerTest {

    @TempDir
    Path dir;

    private ObjectStore store;
    private final List<AuditEvent> audits = new CopyOnWriteArrayList<>();
    private final AuditLog audit = new AuditLog() {
        @Override
        public void record(final AuditEvent event) {
            audits.add(event);
        }

        @Override
        public void close() {
        }
    };
    private final ObjectLocation staging = new ObjectLocation("staging", "acme/in/report.pdf");
    private final ObjectLocation destination = new ObjectLocation("sealstream", "acme/invoices/report.pdf");

    @BeforeEach
    void setUp() {
        store = new FilesystemObjectStore(dir);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private StagingCleaner cleaner(final StagingCleanupMode mode) {
        return new StagingCleaner(store, audit, mode, Map.of("sealstream-encrypted", "true"), "app/1", Clock.systemUTC());
    }

    private void stage(final int size) throws IOException {
        store.put(staging, Map.of(), out -> out.write(new byte[size]));
    }

    private void ciphertextOf(final String eventId) throws IOException {
        store.put(destination, Map.of(ObjectMetadata.EVENT_ID, eventId), out -> out.write(new byte[10]));
    }

    private ObjectEncrypted encrypted(final String eventId, final long size, final Instant at) {
        return ObjectEncrypted.newBuilder().setEventId(eventId).setEncryptedAt(at).setTenant("acme")
                .setBucket("invoices").setObjectKey("report.pdf").setDestination(destination.toUri())
                .setPlaintextSize(size).setCiphertextSize(size + 100).setCiphertextDigest(ByteBuffer.allocate(32))
                .setDekId("d1").setKek(new KeyReference("local", "kek", "1")).setFormatVersion(1).setSegmentSize(65536)
                .setStagingLocation(staging.toUri()).build();
    }

    @Test
    void theStagingObjectIsDeletedOnceAndEveryReplayRecordsTheSameAuditId() throws IOException {
        stage(100);
        ciphertextOf("evt-1");
        final ObjectEncrypted e = encrypted("evt-1", 100, Instant.now().plusSeconds(1));
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(e)).isEqualTo(StagingCleaner.Outcome.CLEANED);
        assertThat(store.head(staging)).isEmpty();
        // the record handled again (a crash before the offset commit): nothing to delete, the event recorded again
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(e)).isEqualTo(StagingCleaner.Outcome.ALREADY_GONE);
        assertThat(audits).hasSize(2).allSatisfy(a -> {
            assertThat(a.getAction()).isEqualTo(AuditAction.STAGING_DELETED);
            assertThat(a.getAuditId()).isEqualTo("staging:evt-1");
            assertThat(a.getEventId()).isEqualTo("evt-1");
            assertThat(a.getLocation()).isEqualTo(destination.toUri());
        });
        assertThat(store.head(destination)).isPresent();
    }

    @Test
    void withoutThisUploadsCiphertextInTheStoreThePlaintextIsKept() throws IOException {
        stage(100);
        final ObjectEncrypted e = encrypted("evt-1", 100, Instant.now().plusSeconds(1));
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(e)).isEqualTo(StagingCleaner.Outcome.KEPT_UNSAFE);
        ciphertextOf("evt-2"); // a later upload replaced the destination
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(e)).isEqualTo(StagingCleaner.Outcome.KEPT_UNSAFE);
        assertThat(store.head(staging)).isPresent();
        assertThat(audits).isEmpty();
    }

    @Test
    void aStagingObjectRewrittenAfterItWasEncryptedIsKept() throws IOException {
        ciphertextOf("evt-1");
        stage(100);
        // encrypted before the staging object was last written: it now holds another upload's plaintext
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(encrypted("evt-1", 100, Instant.now().minusSeconds(60))))
                .isEqualTo(StagingCleaner.Outcome.KEPT_UNSAFE);
        // or it has another size than what was encrypted
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(encrypted("evt-1", 99, Instant.now().plusSeconds(1))))
                .isEqualTo(StagingCleaner.Outcome.KEPT_UNSAFE);
        assertThat(store.head(staging)).isPresent();
    }

    @Test
    void keepModeLeavesItAndInlineUploadsHaveNothingToClean() throws IOException {
        stage(100);
        ciphertextOf("evt-1");
        assertThat(cleaner(StagingCleanupMode.KEEP).clean(encrypted("evt-1", 100, Instant.now().plusSeconds(1))))
                .isEqualTo(StagingCleaner.Outcome.KEPT);
        final ObjectEncrypted inline = encrypted("evt-1", 100, Instant.now());
        inline.setStagingLocation(null);
        assertThat(cleaner(StagingCleanupMode.DELETE).clean(inline)).isEqualTo(StagingCleaner.Outcome.NOT_STAGED);
        assertThat(store.head(staging)).isPresent();
    }

    @Test
    void tagModeNeedsAStoreWithTags() throws IOException {
        stage(100);
        ciphertextOf("evt-1");
        assertThatThrownBy(() -> cleaner(StagingCleanupMode.TAG).clean(encrypted("evt-1", 100, Instant.now().plusSeconds(1))))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(store.head(staging)).isPresent();
        assertThat(audits).isEmpty();
    }
}
