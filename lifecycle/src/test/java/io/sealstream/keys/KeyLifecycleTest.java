package io.sealstream.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DataKeyState;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.FilesystemObjectStore;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key lifecycle end to end on the local KMS, a filesystem store and the in-memory registry/log: what an operator
 * relies on when rotating, re-wrapping, shredding and reading.
 */
class KeyLifecycleTest {

    private static final String BUCKET = "sealstream";
    private static final String KEK = "tenant-acme";
    private static final String OTHER_KEK = "tenant-globex";
    private static final io.sealstream.pipeline.KeyPolicy POLICY =
            new io.sealstream.pipeline.KeyPolicy(KEK, KEK, Map.of("globex", OTHER_KEK), Map.of());

    @TempDir
    Path dir;

    private LocalKeyStoreKms local;
    private InMemoryKeyLifecycle mem;
    private KeyManagementService kms;
    private ObjectStore store;
    private LifecycleEvents events;
    private final AtomicInteger transientFailuresAfter = new AtomicInteger(-1);

    @BeforeEach
    void setUp() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "test-passphrase".toCharArray());
        local.createKey(KEK);
        local.createKey(OTHER_KEK);
        mem = new InMemoryKeyLifecycle();
        kms = new RegisteringKeyManagementService(new FailingRewraps(local), mem, "test/1", Clock.systemUTC());
        store = new FilesystemObjectStore(dir.resolve("store"));
        events = new LifecycleEvents("test/cli", "alice");
    }

    @AfterEach
    void tearDown() {
        store.close();
        local.close();
    }

    private RewrapJobRunner runner(final int batchSize) {
        return new RewrapJobRunner(kms, mem, mem, store, BUCKET, events, Clock.systemUTC(), batchSize, Duration.ZERO);
    }

    private KeyLifecycle lifecycle() {
        return new KeyLifecycle(kms, mem, mem, runner(3), events, Clock.systemUTC());
    }

    private AuditedObjectReader reader() {
        return new AuditedObjectReader(store, mem, kms, mem, "test/get", Clock.systemUTC(), false, POLICY);
    }

    // ---------------------------------------------------------------- registration and reads

    @Test
    void everyGeneratedDekIsRegisteredBeforeUseAndARegistryOutageRefusesTheKey() {
        try (DataKey key = kms.generateDataKey(KEK)) {
            assertThat(mem.find(key.dekId())).hasValueSatisfying(e -> {
                assertThat(e.getState()).isEqualTo(DataKeyState.ACTIVE);
                assertThat(DekRecords.wrapped(e)).isEqualTo(key.wrapped());
            });
        }
        mem.registryDown.set(true);
        assertThatThrownBy(() -> kms.generateDataKey(KEK).close())
                .isInstanceOf(KmsUnavailableException.class).hasMessageContaining("DEK registry");
    }

    @Test
    void readsResolveThroughTheRegistryAndAreAuditedWithWhoWhatAndWhichKey() throws IOException {
        final ObjectLocation location = write("acme", "photos", "a.jpg", "hello", newDek(KEK, "acme", "photos"));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final AuditedObjectReader.Result result = reader().read(location, identity(location), "bob", out,
                AuditedObjectReader.Release.AFTER_AUDIT);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(result.keySource()).isEqualTo(RegistryDataKeyResolver.Source.REGISTRY);
        final AuditEvent read = single(AuditAction.DECRYPT);
        assertThat(read.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(read.getActor()).isEqualTo("bob");
        assertThat(read.getLocation()).isEqualTo(location.toUri());
        assertThat(read.getTenant()).isEqualTo("acme");
        assertThat(read.getDekId()).isEqualTo(result.dekId());
        assertThat(read.getKek().getKeyId()).isEqualTo(KEK);
        assertThat(read.toString()).doesNotContain("hello");
    }

    @Test
    void aReadWhoseSuccessCannotBeAuditedFailsClosed() throws IOException {
        final ObjectLocation location = write("acme", "photos", "a.jpg", "secret", newDek(KEK, "acme", "photos"));
        mem.auditDown.set(true);
        final ByteArrayOutputStream released = new ByteArrayOutputStream();
        assertThatThrownBy(() -> reader().read(location, identity(location), "bob", released,
                AuditedObjectReader.Release.STREAMING)).hasMessageContaining("audit trail unreachable");
        assertThat(released.size()).as("no plaintext byte before the audit event is durable").isZero();
    }

    @Test
    void failedReadsAreAuditedWithAReasonCodeAndNoPlaintext() throws IOException {
        final ObjectLocation location = write("acme", "photos", "a.jpg", "secret", newDek(KEK, "acme", "photos"));
        final ObjectIdentity wrong = new ObjectIdentity("globex", "photos", "a.jpg");
        final ByteArrayOutputStream released = new ByteArrayOutputStream();
        assertThatThrownBy(() -> reader().read(location, wrong, "mallory", released,
                AuditedObjectReader.Release.AFTER_AUDIT)).isInstanceOf(IOException.class);
        assertThat(released.size()).as("nothing released for the wrong identity").isZero();
        assertThatThrownBy(() -> reader().read(new ObjectLocation(BUCKET, "acme/photos/missing"), identity(location),
                "mallory", new ByteArrayOutputStream(), AuditedObjectReader.Release.AFTER_AUDIT)).isInstanceOf(IOException.class);

        assertThat(mem.audits).extracting(AuditEvent::getOutcome).containsOnly(AuditOutcome.FAILURE);
        assertThat(mem.audits).extracting(AuditEvent::getReasonCode)
                .as("acme's object read as globex's: its key belongs to acme")
                .containsExactly("KEY_SCOPE_MISMATCH", "OBJECT_NOT_FOUND");
        assertThat(mem.audits).extracting(AuditEvent::getActor).containsOnly("mallory");
    }

    @Test
    void aDekUnknownToTheRegistryFallsBackToTheHeaderUnlessStrict() throws IOException {
        final WrappedDataKey unregistered;
        final ObjectLocation location;
        try (DataKey key = local.generateDataKey(KEK, KeyScope.of("acme", "photos"))) { // bypasses the registry
            unregistered = key.wrapped();
            location = write("acme", "photos", "old.jpg", "from before", key);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(reader().read(location, identity(location), "bob", out, AuditedObjectReader.Release.AFTER_AUDIT)
                .keySource()).isEqualTo(RegistryDataKeyResolver.Source.HEADER);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from before");
        final AuditedObjectReader strict = new AuditedObjectReader(store, mem, kms, mem, "t", Clock.systemUTC(), true, POLICY);
        assertThatThrownBy(() -> strict.read(location, identity(location), "bob", new ByteArrayOutputStream(),
                AuditedObjectReader.Release.AFTER_AUDIT)).hasMessageContaining(unregistered.dekId());
    }

    // ---------------------------------------------------------------- rotation and re-wrap

    @Test
    void rotatingAKekRewrapsEveryRegisteredDekAndObjectsStillDecryptAfterTheOldVersionIsDestroyed() throws IOException {
        final List<ObjectLocation> objects = List.of(
                write("acme", "a", "1", "one", newDek(KEK, "acme", "a")), write("acme", "a", "2", "two", newDek(KEK, "acme", "a")),
                write("acme", "b", "3", "three", newDek(KEK, "acme", "b")), write("globex", "a", "4", "four", newDek(OTHER_KEK, "globex", "a")));

        final KeyLifecycle.Rotation rotation = lifecycle().rotateKek(KEK);

        assertThat(rotation.previous().version()).isEqualTo("1");
        assertThat(rotation.current().version()).isEqualTo("2");
        assertThat(rotation.rewrap().getStatus()).isEqualTo(RewrapJobStatus.COMPLETED);
        assertThat(rotation.rewrap().getDeksRewrapped()).isEqualTo(3);
        assertThat(kinds()).containsSubsequence(RotationKind.KEK_ROTATED, RotationKind.JOB_STARTED,
                RotationKind.DEK_REWRAPPED, RotationKind.JOB_COMPLETED);
        assertThat(mem.entries()).filteredOn(e -> e.getKek().getKeyId().equals(KEK))
                .allSatisfy(e -> assertThat(e.getKek().getVersion()).isEqualTo("2"));

        lifecycle().destroyKekVersion(KEK, "1");

        for (final ObjectLocation object : objects) {
            assertThat(headerCopyUnwraps(object)).as("header copy of %s", object).isEqualTo(object.key().startsWith("globex"));
            assertThat(read(object)).isNotEmpty();
        }
        assertThat(kinds()).contains(RotationKind.KEK_VERSION_DESTROYED);
    }

    @Test
    void aVersionStillHoldingARegisteredDekIsNotDestroyed() {
        newDek(KEK).close();
        local.rotateKey(KEK);
        assertThatThrownBy(() -> lifecycle().destroyKekVersion(KEK, "1"))
                .hasMessageContaining("1 registered DEKs are still wrapped only under local:tenant-acme@1");
        assertThat(local.describeKey(KEK).versions()).contains("1");
    }

    @Test
    void aJobThatDiesHalfwayResumesAndRewrapsEachDekOnceInEffect() {
        for (int i = 0; i < 10; i++) {
            newDek(KEK).close();
        }
        local.rotateKey(KEK);
        final RewrapJob job = job("nightly").setKekId(KEK).build();
        transientFailuresAfter.set(4); // the KMS goes away after 4 re-wraps: in the middle of the second batch of 3

        assertThatThrownBy(() -> runner(3).run(job)).isInstanceOf(KmsUnavailableException.class);
        final RewrapJobState halfway = mem.jobState("nightly").orElseThrow();
        assertThat(halfway.getStatus()).isEqualTo(RewrapJobStatus.RUNNING);
        assertThat(halfway.getDeksRewrapped()).isEqualTo(3); // the failed batch committed nothing

        transientFailuresAfter.set(-1);
        final RewrapJobState done = runner(3).run(job);

        assertThat(done.getStatus()).isEqualTo(RewrapJobStatus.COMPLETED);
        assertThat(done.getDeksRewrapped()).isEqualTo(10);
        final Map<String, Long> rewrapsPerDek = mem.rotations.stream()
                .filter(e -> e.getKind() == RotationKind.DEK_REWRAPPED)
                .collect(Collectors.groupingBy(RotationEvent::getDekId, Collectors.counting()));
        assertThat(rewrapsPerDek).hasSize(10).allSatisfy((dek, n) -> assertThat(n).isEqualTo(1));
        assertThat(runner(3).run(job).getStatus()).as("a completed job is not run again").isEqualTo(RewrapJobStatus.COMPLETED);
        assertThat(mem.rotations.stream().filter(e -> e.getKind() == RotationKind.DEK_REWRAPPED)).hasSize(10);
    }

    @Test
    void aJobSelectsByTenantBucketPrefixAndMetadataThroughTheObjects() throws IOException {
        final DataKey shared = newDek(KEK, "acme", "photos");
        write("acme", "photos", "2024/a", "a", shared);
        final String wanted = mem.entries().get(0).getDekId();
        write("acme", "photos", "2025/b", "b", newDek(KEK, "acme", "photos"));
        write("acme", "docs", "2024/c", "c", newDek(KEK, "acme", "docs"));
        shared.close();
        local.rotateKey(KEK);

        final RewrapJobState done = runner(10).run(job("photos-2024").setTenant("acme").setBucket("photos")
                .setPrefix("2024/").build());

        assertThat(done.getObjectsScanned()).isEqualTo(1);
        assertThat(mem.rotations).filteredOn(e -> e.getKind() == RotationKind.DEK_REWRAPPED)
                .extracting(RotationEvent::getDekId).containsExactly(wanted);

        final RewrapJobState byMetadata = runner(10).run(job("by-meta").setTenant("acme")
                .setMetadata(Map.of(ObjectMetadata.EVENT_ID, "evt-2025/b")).build());
        assertThat(byMetadata.getDeksRewrapped()).isEqualTo(1);
        assertThat(byMetadata.getObjectsScanned()).isEqualTo(3);
    }

    @Test
    void anObjectJobAdoptsDataKeysFromBeforeTheRegistrySoDestroyingTheOldVersionCutsNoObjectOff() throws IOException {
        final ObjectLocation old;
        final String oldDek;
        // bypasses the registry: an object from before it existed
        try (DataKey key = local.generateDataKey(KEK, KeyScope.of("acme", "archive"))) {
            oldDek = key.dekId();
            old = write("acme", "archive", "2019/report", "from before the registry", key);
        }
        local.rotateKey(KEK);
        assertThatThrownBy(() -> lifecycle().destroyKekVersion(KEK, "2")).as("the current version is never destroyed")
                .isInstanceOf(KmsException.class);

        final RewrapJobState adopted = runner(10).run(job("adopt-acme").setTenant("acme").build());

        assertThat(adopted.getStatus()).isEqualTo(RewrapJobStatus.COMPLETED);
        assertThat(mem.find(oldDek)).hasValueSatisfying(e -> {
            assertThat(e.getKek().getVersion()).isEqualTo("2");
            assertThat(e.getCreatedKek().getVersion()).isEqualTo("1");
        });
        assertThat(mem.rotations).filteredOn(e -> e.getKind() == RotationKind.DEK_CREATED)
                .extracting(RotationEvent::getReason).containsExactly("ADOPTED");
        lifecycle().destroyKekVersion(KEK, "1");
        assertThat(headerCopyUnwraps(old)).isFalse();
        assertThat(read(old)).isEqualTo("from before the registry");
    }

    @Test
    void aJobIdCannotBeReusedForAnotherSelection() {
        runner(3).run(job("j").setKekId(KEK).build());
        assertThatThrownBy(() -> runner(3).run(job("j").setKekId(OTHER_KEK).build()))
                .hasMessageContaining("already used for a different job spec");
    }

    // ---------------------------------------------------------------- shredding

    @Test
    void shreddingADekMakesExactlyItsObjectsUndecryptableByAnyPath() throws IOException {
        final DataKey doomed = newDek(KEK, "acme", "a");
        final ObjectLocation gone1 = write("acme", "a", "1", "one", doomed);
        final ObjectLocation gone2 = write("acme", "a", "2", "two", doomed);
        doomed.close();
        final ObjectLocation kept = write("acme", "a", "3", "three", newDek(KEK, "acme", "a"));
        final ObjectLocation otherKek = write("globex", "a", "4", "four", newDek(OTHER_KEK, "globex", "a"));
        mem.markRetired(doomed.dekId(), doomed.kek(), Instant.now(), "test/1");

        final KeyLifecycle.Shred shred = lifecycle().shredDek(doomed.dekId(), false);

        assertThat(shred.incomplete()).isEmpty();
        assertThat(shred.destroyedVersions()).extracting(v -> v.version()).containsExactly("1");
        assertThat(shred.rewrappedDeks()).hasSize(1); // the kept object's DEK moved to version 2 first
        for (final ObjectLocation gone : List.of(gone1, gone2)) {
            assertThatThrownBy(() -> read(gone)).hasRootCauseInstanceOf(KeyShreddedException.class);
            final AuditEvent refused = mem.audits.get(mem.audits.size() - 1);
            assertThat(refused.getReasonCode()).isEqualTo("KEY_SHREDDED");
            assertThat(refused.getDekId()).as("the refused read names the data key it asked for").isEqualTo(doomed.dekId());
            assertThat(headerCopyUnwraps(gone)).as("header copy of a shredded DEK").isFalse();
        }
        assertThat(read(kept)).isEqualTo("three");
        assertThat(read(otherKek)).isEqualTo("four");
        assertThat(mem.find(doomed.dekId()).orElseThrow().getWrappedKey()).isNull();
        assertThat(kinds()).contains(RotationKind.KEK_ROTATED, RotationKind.DEK_REWRAPPED, RotationKind.DEK_SHREDDED,
                RotationKind.KEK_VERSION_DESTROYED);
        assertThat(mem.audits).extracting(AuditEvent::getAction).contains(AuditAction.SHRED, AuditAction.KEY_DESTROY);
    }

    @Test
    void onAProviderWithoutKeyVersionsShreddingADekIsRegistryOnlyAndSaysWhatRemains() throws IOException {
        final KeyManagementService versionless = new ForwardingKms(kms) {
            @Override
            public io.sealstream.kms.KeyDescription rotateKey(final String kekId) {
                throw new io.sealstream.kms.UnsupportedKmsOperationException("test", "rotating a KEK");
            }

            @Override
            public void destroyKeyVersion(final String kekId, final String version) {
                throw new io.sealstream.kms.UnsupportedKmsOperationException("test", "destroying a single KEK version");
            }
        };
        final DataKey doomed = newDek(KEK, "acme", "a");
        final ObjectLocation gone = write("acme", "a", "1", "one", doomed);
        doomed.close();
        final KeyLifecycle onVersionless = new KeyLifecycle(versionless, mem, mem,
                new RewrapJobRunner(versionless, mem, mem, store, BUCKET, events, Clock.systemUTC(), 3, Duration.ZERO),
                events, Clock.systemUTC());

        final KeyLifecycle.Shred shred = onVersionless.shredDek(doomed.dekId(), true);

        assertThat(shred.incomplete()).hasValueSatisfying(m -> assertThat(m)
                .contains("shredded in the registry", "cannot destroy single KEK versions", "shred kek " + KEK));
        assertThat(shred.destroyedVersions()).isEmpty();
        assertThatThrownBy(() -> read(gone)).hasRootCauseInstanceOf(KeyShreddedException.class);
        assertThat(headerCopyUnwraps(gone)).as("what remains, and the message says so").isTrue();
    }

    @Test
    void anActiveDekIsOnlyShreddedWithForce() {
        final DataKey active = newDek(KEK);
        active.close();
        assertThatThrownBy(() -> lifecycle().shredDek(active.dekId(), false)).hasMessageContaining("still ACTIVE");
        assertThat(lifecycle().shredDek(active.dekId(), true).shreddedDeks()).containsExactly(active.dekId());
    }

    @Test
    void shreddingAKekMakesEveryObjectUnderItUndecryptableAndLeavesOthers() throws IOException {
        final ObjectLocation a = write("acme", "a", "1", "one", newDek(KEK, "acme", "a"));
        final ObjectLocation b = write("acme", "b", "2", "two", newDek(KEK, "acme", "b"));
        final ObjectLocation c = write("globex", "a", "3", "three", newDek(OTHER_KEK, "globex", "a"));

        final KeyLifecycle.Shred shred = lifecycle().shredKek(KEK);

        assertThat(shred.shreddedDeks()).hasSize(2);
        assertThatThrownBy(() -> read(a)).hasRootCauseInstanceOf(KeyShreddedException.class);
        assertThatThrownBy(() -> read(b)).hasRootCauseInstanceOf(KeyShreddedException.class);
        assertThat(headerCopyUnwraps(a)).as("the header's copy died with the KEK").isFalse();
        assertThat(headerCopyUnwraps(b)).isFalse();
        assertThat(read(c)).isEqualTo("three");
        assertThatThrownBy(() -> local.describeKey(KEK)).isInstanceOf(KmsException.class);
        assertThat(kinds()).contains(RotationKind.KEK_SHREDDED);
    }

    @Test
    void shreddingOneObjectReencryptsItsSiblingsAndLeavesOnlyItUndecryptable() throws IOException {
        final DataKey shared = newDek(KEK, "acme", "a");
        final ObjectLocation target = write("acme", "a", "target", "delete me", shared);
        final ObjectLocation sibling = write("acme", "a", "sibling", "keep me", shared);
        final ObjectLocation other = write("acme", "b", "other", "untouched", newDek(KEK, "acme", "b"));
        shared.close();
        mem.markRetired(shared.dekId(), shared.kek(), Instant.now(), "test/1");
        final ObjectShredder shredder = new ObjectShredder(kms, mem, store, lifecycle(), mem, events, Clock.systemUTC());

        shredder.shred(target, false);

        assertThatThrownBy(() -> read(target)).hasRootCauseInstanceOf(KeyShreddedException.class);
        assertThat(read(sibling)).isEqualTo("keep me");
        assertThat(read(other)).isEqualTo("untouched");
        assertThat(store.head(sibling).orElseThrow().metadata().get(ObjectMetadata.DEK_ID)).isNotEqualTo(shared.dekId());
        assertThat(mem.audits).filteredOn(e -> e.getAction() == AuditAction.SHRED)
                .extracting(AuditEvent::getLocation).contains(target.toUri());
    }

    // ---------------------------------------------------------------- helpers

    private RewrapJob.Builder job(final String id) {
        return RewrapJob.newBuilder().setJobId(id).setSubmittedAt(Instant.now()).setSubmittedBy("alice");
    }

    private DataKey newDek(final String kekId) {
        return kms.generateDataKey(kekId);
    }

    /** A DEK as the pipeline makes one for {@code tenant}'s {@code bucket}. */
    private DataKey newDek(final String kekId, final String tenant, final String bucket) {
        return kms.generateDataKey(kekId, KeyScope.of(tenant, bucket));
    }

    private List<RotationKind> kinds() {
        return mem.rotations.stream().map(RotationEvent::getKind).toList();
    }

    private AuditEvent single(final AuditAction action) {
        final List<AuditEvent> found = mem.audits.stream().filter(e -> e.getAction() == action).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private ObjectLocation write(final String tenant, final String bucket, final String key, final String content,
                                 final DataKey dek) throws IOException {
        return PipelineStyleObjects.write(store, BUCKET, tenant, bucket, key, content, dek);
    }

    private static ObjectIdentity identity(final ObjectLocation location) {
        return PipelineStyleObjects.identity(location);
    }

    private String read(final ObjectLocation location) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader().read(location, identity(location), "reader", out, AuditedObjectReader.Release.AFTER_AUDIT);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether the DEK copy in the object's own header still unwraps at the KMS (the registry-less path). */
    private boolean headerCopyUnwraps(final ObjectLocation location) throws IOException {
        try (InputStream in = store.get(location)) {
            final WrappedDataKey fromHeader = EnvelopeDecryptor.readHeader(in).wrappedDataKey()
                    .withScope(identity(location).keyScope());
            try (DataKey ignored = local.unwrap(fromHeader)) {
                return true;
            } catch (final KmsException e) {
                return false;
            }
        }
    }

    /** The local KMS whose re-wrap calls start failing as "unavailable" after a set number. */
    private final class FailingRewraps extends ForwardingKms {
        private final AtomicInteger rewraps = new AtomicInteger();

        FailingRewraps(final KeyManagementService delegate) {
            super(delegate);
        }

        @Override
        public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
            final int limit = transientFailuresAfter.get();
            if (limit >= 0 && rewraps.incrementAndGet() > limit) {
                throw new KmsUnavailableException("KMS down (test)");
            }
            return super.rewrap(wrapped);
        }
    }

    /** Forwards everything; tests override what they change. */
    private static class ForwardingKms extends io.sealstream.kms.ForwardingKeyManagementService {
        ForwardingKms(final KeyManagementService delegate) {
            super(delegate);
        }
    }

}
