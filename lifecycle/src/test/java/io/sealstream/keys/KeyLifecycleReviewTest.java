package io.sealstream.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJob;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.ForwardingKeyManagementService;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.FilesystemObjectStore;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review: lifecycle hazards the in-memory fake (live reads, no-op refresh) cannot show. */
class KeyLifecycleReviewTest {

    private static final String BUCKET = "sealstream";
    private static final String KEK = "tenant-acme";
    private static final io.sealstream.kms.KeyScope ACME_A = io.sealstream.kms.KeyScope.of("acme", "a");

    @TempDir
    Path dir;

    private LocalKeyStoreKms local;
    private InMemoryKeyLifecycle mem;
    private ObjectStore store;
    private final LifecycleEvents events = new LifecycleEvents("test/cli", "alice");

    @BeforeEach
    void setUp() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "test-passphrase".toCharArray());
        local.createKey(KEK);
        mem = new InMemoryKeyLifecycle();
        store = new FilesystemObjectStore(dir.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        store.close();
        local.close();
    }

    /**
     * The CLI's registry like KafkaDekRegistry: it sees other processes' registrations only at refresh(). A pipeline
     * (another process) creates a DEK under the current version after shred's refresh() but before its rotation.
     * Before the fix shredDek chose what to move from its first snapshot and destroyed versions unchecked: that
     * DEK, and the object nobody shredded, were lost (the shred reported success).
     */
    @Test
    void shredDekDestroysAVersionHoldingADekRegisteredAfterItsSnapshot() throws IOException {
        final KeyManagementService pipelineKms = new RegisteringKeyManagementService(local, mem, "pipeline", Clock.systemUTC());
        final DataKey doomed = pipelineKms.generateDataKey(KEK, ACME_A);
        write("acme", "a", "doomed", "bye", doomed);
        doomed.close();
        mem.markRetired(doomed.dekId(), doomed.kek(), Instant.now(), "pipeline");

        final SnapshotRegistry cliRegistry = new SnapshotRegistry(mem);
        final ObjectLocation[] innocent = new ObjectLocation[1];
        final KeyManagementService cliKms = new ForwardingKeyManagementService(local) {
            @Override
            public KeyDescription rotateKey(final String kekId) {
                // meanwhile, a pipeline instance takes a new DEK under the (still) current version 1
                try (DataKey fresh = pipelineKms.generateDataKey(KEK, ACME_A)) {
                    innocent[0] = write("acme", "a", "innocent", "keep me", fresh);
                } catch (final IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return super.rotateKey(kekId);
            }
        };
        final KeyLifecycle lifecycle = new KeyLifecycle(cliKms, cliRegistry, mem,
                new RewrapJobRunner(cliKms, cliRegistry, mem, store, BUCKET, events, Clock.systemUTC(), 3, Duration.ZERO),
                events, Clock.systemUTC());

        final KeyLifecycle.Shred shred = lifecycle.shredDek(doomed.dekId(), false);

        assertThat(shred.incomplete()).isEmpty();
        assertThat(shred.destroyedVersions()).extracting(v -> v.version()).containsExactly("1");
        assertThat(shred.rewrappedDeks()).as("the DEK created before the rotation was moved off version 1").hasSize(1);
        assertThat(read(innocent[0])).isEqualTo("keep me");
    }

    /** Failures are part of the checkpoint: an object job that resumes remembers them and ends FAILED. */
    @Test
    void anObjectJobResumedAfterATransientFailureRemembersEarlierPermanentFailures() throws IOException {
        final KeyManagementService registering = new RegisteringKeyManagementService(local, mem, "pipeline", Clock.systemUTC());
        final String[] dekIds = new String[3];
        for (int i = 0; i < 3; i++) {
            try (DataKey k = registering.generateDataKey(KEK, ACME_A)) {
                dekIds[i] = k.dekId();
                write("acme", "a", "obj-" + i, "x" + i, k);
            }
        }
        local.rotateKey(KEK);
        final Set<String> refused = Set.of(dekIds[0]);
        final Set<String> unavailable = ConcurrentHashMap.newKeySet();
        unavailable.add(dekIds[2]);
        final KeyManagementService kms = new ForwardingKeyManagementService(local) {
            @Override
            public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
                if (refused.contains(wrapped.dekId())) {
                    throw new KeyUnwrapException("refused (test)");
                }
                if (unavailable.contains(wrapped.dekId())) {
                    throw new KmsUnavailableException("down (test)");
                }
                return super.rewrap(wrapped);
            }
        };
        final RewrapJob job = RewrapJob.newBuilder().setJobId("objects").setSubmittedAt(Instant.now())
                .setSubmittedBy("alice").setTenant("acme").build();
        final RewrapJobRunner runner = new RewrapJobRunner(kms, mem, mem, store, BUCKET, events, Clock.systemUTC(), 1,
                Duration.ZERO);
        assertThatThrownBy(() -> runner.run(job)).isInstanceOf(KmsUnavailableException.class);
        unavailable.clear();

        final RewrapJobState done = runner.run(job);

        assertThat(mem.find(dekIds[0]).orElseThrow().getKek().getVersion()).as("never re-wrapped").isEqualTo("1");
        assertThat(done.getStatus()).isEqualTo(RewrapJobStatus.FAILED);
        assertThat(done.getDeksFailed()).isEqualTo(1);
        assertThat(mem.find(dekIds[2]).orElseThrow().getKek().getVersion()).as("re-wrapped on resume").isEqualTo("2");
    }

    /** A registry-wide job counts (and audits) one refused DEK once, not once per sweep. */
    @Test
    void oneRefusedDekIsCountedOnceNotOncePerSweep() {
        final KeyManagementService registering = new RegisteringKeyManagementService(local, mem, "pipeline", Clock.systemUTC());
        final String refusedId;
        try (DataKey k = registering.generateDataKey(KEK)) {
            refusedId = k.dekId();
        }
        local.rotateKey(KEK);
        final KeyManagementService kms = new ForwardingKeyManagementService(local) {
            @Override
            public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
                throw new KeyUnwrapException("refused (test) " + refusedId);
            }
        };
        final RewrapJobState state = new RewrapJobRunner(kms, mem, mem, store, BUCKET, events, Clock.systemUTC(), 10,
                Duration.ZERO).run(RewrapJob.newBuilder().setJobId("all").setSubmittedAt(Instant.now())
                .setSubmittedBy("alice").setKekId(KEK).build());
        assertThat(state.getStatus()).isEqualTo(RewrapJobStatus.FAILED);
        assertThat(state.getMessage()).startsWith("1 DEKs could not be re-wrapped");
        assertThat(mem.audits.stream().filter(a -> a.getAction() == io.sealstream.events.AuditAction.REWRAP)).hasSize(1);
    }

    // ---------------------------------------------------------------- helpers

    private ObjectLocation write(final String tenant, final String bucket, final String key, final String content,
                                 final DataKey dek) throws IOException {
        return PipelineStyleObjects.write(store, BUCKET, tenant, bucket, key, content, dek);
    }

    private String read(final ObjectLocation location) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        new AuditedObjectReader(store, mem, local, mem, "test/get", Clock.systemUTC(), false, io.sealstream.pipeline.KeyPolicy.of(KEK))
                .read(location, PipelineStyleObjects.identity(location), "reader", out,
                        AuditedObjectReader.Release.AFTER_AUDIT);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Reads as of the last refresh(), own registrations visible at once: KafkaDekRegistry's visibility. */
    private static final class SnapshotRegistry implements DekRegistry {
        private final InMemoryKeyLifecycle shared;
        private final Map<String, DataKeyRecord> snapshot = new TreeMap<>();

        SnapshotRegistry(final InMemoryKeyLifecycle shared) {
            this.shared = shared;
            refresh();
        }

        @Override
        public void registerCreated(final WrappedDataKey key, final Instant createdAt, final String service) {
            shared.registerCreated(key, createdAt, service);
            snapshot.putIfAbsent(key.dekId(), shared.find(key.dekId()).orElseThrow());
        }

        @Override
        public void markRetired(final String dekId, final io.sealstream.kms.KekRef createdKek, final Instant at,
                                final String service) {
            shared.markRetired(dekId, createdKek, at, service);
        }

        @Override
        public void refresh() {
            snapshot.clear();
            shared.entries().forEach(e -> snapshot.put(e.getDekId(), e));
        }

        @Override
        public Optional<DataKeyRecord> find(final String dekId) {
            return Optional.ofNullable(snapshot.get(dekId));
        }

        @Override
        public List<DataKeyRecord> entries() {
            return List.copyOf(snapshot.values());
        }

        @Override
        public void close() {
        }
    }
}
