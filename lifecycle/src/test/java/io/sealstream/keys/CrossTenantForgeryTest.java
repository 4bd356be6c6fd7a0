package io.sealstream.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeKeyException;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.KeyPolicy;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, section 1: a tenant that knows one of its own data keys (it can unwrap its own objects) builds, with the
 * public APIs only, an object whose header and commitment name another tenant, and puts it at that tenant's path
 * (anyone with write access to the store can). Before data keys were bound to their tenant bucket, {@code get}
 * returned the attacker's bytes as the victim's object. Every reader must now refuse it, and say why.
 */
class CrossTenantForgeryTest {

    private static final String STORE_BUCKET = "sealstream";
    private static final String SHARED_KEK = "kek-default";
    private static final String GLOBEX_KEK = "kek-globex";
    private static final String FORGED = "attacker's bytes, presented as acme's";

    @TempDir
    Path dir;

    private LocalKeyStoreKms local;
    private InMemoryKeyLifecycle mem;
    private KeyManagementService kms;
    private ObjectStore store;
    /** Both tenants share the default KEK (the shipped configuration); globex also has a KEK of its own. */
    private final KeyPolicy policy = new KeyPolicy(SHARED_KEK, SHARED_KEK, Map.of(), Map.of());

    @BeforeEach
    void setUp() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "test-passphrase".toCharArray());
        local.createKey(SHARED_KEK);
        local.createKey(GLOBEX_KEK);
        mem = new InMemoryKeyLifecycle();
        kms = new RegisteringKeyManagementService(local, mem, "pipeline/1", Clock.systemUTC());
        store = new FilesystemObjectStore(dir.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        store.close();
        local.close();
    }

    @Test
    void anotherTenantsRegisteredKeyIsRefusedByGetWithAReasonCodeAndAnAuditEvent() throws IOException {
        final ObjectLocation victim = pipelineWrites("acme", "photos", "invoice.pdf", "acme's real invoice");
        try (DataKey globexKey = kms.generateDataKey(SHARED_KEK, KeyScope.of("globex", "photos"))) {
            forge(globexKey, victim);
        }

        for (final boolean strict : new boolean[] {true, false}) {
            final ByteArrayOutputStream released = new ByteArrayOutputStream();
            assertThatThrownBy(() -> reader(strict).read(victim, identityOf(victim), "acme-clerk", released,
                    AuditedObjectReader.Release.STREAMING))
                    .as("strict registry %s", strict)
                    .isInstanceOf(EnvelopeKeyException.class)
                    .hasMessageContaining("belongs to tenant 'globex' bucket 'photos', not to tenant 'acme' bucket 'photos'");
            assertThat(released.size()).as("nothing released").isZero();
        }
        final List<AuditEvent> reads = mem.audits.stream().filter(e -> e.getAction() == AuditAction.DECRYPT).toList();
        assertThat(reads).hasSize(2).allSatisfy(e -> {
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
            assertThat(e.getReasonCode()).isEqualTo("KEY_SCOPE_MISMATCH");
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.toString()).doesNotContain(FORGED);
        });
    }

    @Test
    void aKeyTheRegistryNeverSawIsRefusedByTheKmsEvenThroughTheUnsafeHeaderFallback() throws IOException {
        final ObjectLocation victim = pipelineWrites("acme", "photos", "invoice.pdf", "acme's real invoice");
        try (DataKey unregistered = local.generateDataKey(SHARED_KEK, KeyScope.of("globex", "photos"))) {
            forge(unregistered, victim);
        }
        assertThatThrownBy(() -> reader(false).read(victim, identityOf(victim), "acme-clerk",
                new ByteArrayOutputStream(), AuditedObjectReader.Release.AFTER_AUDIT))
                .isInstanceOf(EnvelopeKeyException.class).hasMessageContaining("rejected");
        assertThat(mem.audits).extracting(AuditEvent::getReasonCode).containsExactly("KEY_REJECTED");
    }

    @Test
    void aKeyUnderAKekThePolicyDoesNotGiveTheVictimIsRefusedWhateverScopeItClaims() throws IOException {
        // The strongest attacker: one who holds a KEK of its own (a customer key, say) and so can wrap a key for any
        // scope it likes. Only the key policy can tell it apart: acme's objects are under the shared KEK.
        final ObjectLocation victim = pipelineWrites("acme", "photos", "invoice.pdf", "acme's real invoice");
        try (DataKey forgedForAcme = local.generateDataKey(GLOBEX_KEK, KeyScope.of("acme", "photos"))) {
            forge(forgedForAcme, victim);
        }
        assertThatThrownBy(() -> reader(false).read(victim, identityOf(victim), "acme-clerk",
                new ByteArrayOutputStream(), AuditedObjectReader.Release.AFTER_AUDIT))
                .isInstanceOf(EnvelopeKeyException.class)
                .hasMessageContaining("is under KEK 'kek-globex', but the key policy gives this object KEK 'kek-default'");
        assertThat(mem.audits).extracting(AuditEvent::getReasonCode).containsExactly("KEY_SCOPE_MISMATCH");
    }

    @Test
    void theLibraryReaderRefusesItToo() throws IOException {
        final ObjectLocation victim = pipelineWrites("acme", "photos", "invoice.pdf", "acme's real invoice");
        try (DataKey globexKey = kms.generateDataKey(SHARED_KEK, KeyScope.of("globex", "photos"))) {
            forge(globexKey, victim);
        }
        final EnvelopeDecryptor library = new EnvelopeDecryptor(kms::unwrap);
        try (InputStream in = store.get(victim)) {
            assertThatThrownBy(() -> library.decryptingStream(in, identityOf(victim).encryptionContext()).readAllBytes())
                    .isInstanceOf(EnvelopeKeyException.class).hasMessageContaining("rejected");
        }
    }

    @Test
    void theGenuineObjectStillReadsAndTheEncryptorRefusesToMisuseAKey() throws IOException {
        final ObjectLocation genuine = pipelineWrites("acme", "photos", "invoice.pdf", "acme's real invoice");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader(true).read(genuine, identityOf(genuine), "acme-clerk", out, AuditedObjectReader.Release.AFTER_AUDIT);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("acme's real invoice");

        try (DataKey globexKey = kms.generateDataKey(SHARED_KEK, KeyScope.of("globex", "photos"))) {
            assertThatThrownBy(() -> PipelineStyleObjects.write(store, STORE_BUCKET, "acme", "photos", "x", "y", globexKey))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is bound to globex/photos but the encryption context needs a key bound to acme/photos");
        }
    }

    // ---------------------------------------------------------------- helpers

    private ObjectLocation pipelineWrites(final String tenant, final String bucket, final String key, final String content)
            throws IOException {
        try (DataKey dek = kms.generateDataKey(policy.kekFor(tenant, bucket), KeyScope.of(tenant, bucket))) {
            return PipelineStyleObjects.write(store, STORE_BUCKET, tenant, bucket, key, content, dek);
        }
    }

    /**
     * The attacker's forgery, public APIs only: its own key's bytes, relabelled with the victim's scope so the
     * encryptor accepts the victim's context, the result overwriting the victim's object.
     */
    private void forge(final DataKey attackersKey, final ObjectLocation victim) throws IOException {
        final ObjectIdentity identity = identityOf(victim);
        try (DataKey relabelled = new DataKey(attackersKey.copyKeyBytes(),
                attackersKey.wrapped().withScope(identity.keyScope()))) {
            PipelineStyleObjects.write(store, STORE_BUCKET, identity.tenant(), identity.bucket(), identity.objectKey(),
                    FORGED, relabelled);
        }
    }

    private AuditedObjectReader reader(final boolean strictRegistry) {
        return new AuditedObjectReader(store, mem, kms, mem, "test/get", Clock.systemUTC(), strictRegistry, policy);
    }

    private static ObjectIdentity identityOf(final ObjectLocation location) {
        return PipelineStyleObjects.identity(location);
    }
}
