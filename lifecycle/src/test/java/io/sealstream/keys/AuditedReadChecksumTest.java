package io.sealstream.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.ObjectMetadata;
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
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sealstream get} checks the plaintext checksum the upload declared (kept in the object metadata) on every
 * whole read: a match reads as before; a mismatch (the metadata or the object altered in the store) fails the read,
 * which the caller then does not commit, with a FAILURE audit event.
 */
class AuditedReadChecksumTest {

    private static final String KEK = "kek-default";

    @TempDir
    Path dir;

    private LocalKeyStoreKms local;
    private InMemoryKeyLifecycle mem;
    private KeyManagementService kms;
    private ObjectStore store;

    @BeforeEach
    void setUp() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "test-passphrase".toCharArray());
        local.createKey(KEK);
        mem = new InMemoryKeyLifecycle();
        kms = new RegisteringKeyManagementService(local, mem, "pipeline/1", Clock.systemUTC());
        store = new FilesystemObjectStore(dir.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        store.close();
        local.close();
    }

    private ObjectLocation writeWithChecksum(final String key, final String content, final String checksum)
            throws IOException {
        final ObjectLocation location;
        try (DataKey dek = kms.generateDataKey(KEK, new ObjectIdentity("acme", "docs", key).keyScope())) {
            location = PipelineStyleObjects.write(store, "sealstream", "acme", "docs", key, content, dek);
        }
        // the pipeline records the verified checksum in the metadata; put it there as it would
        final Map<String, String> metadata = new HashMap<>(store.head(location).orElseThrow().metadata());
        metadata.put(ObjectMetadata.PLAINTEXT_CHECKSUM, checksum);
        final byte[] stored;
        try (InputStream in = store.get(location)) {
            stored = in.readAllBytes();
        }
        store.put(location, metadata, out -> out.write(stored));
        return location;
    }

    private AuditedObjectReader reader() {
        return new AuditedObjectReader(store, mem, kms, mem, "test/get", Clock.systemUTC(), true, KeyPolicy.of(KEK));
    }

    @Test
    void aMatchingChecksumReadsAndAMismatchFailsTheReadWithAFailureEvent() throws Exception {
        final String content = "the quarterly figures";
        final String sha = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
        final ObjectLocation good = writeWithChecksum("good.txt", content, sha);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader().read(good, new ObjectIdentity("acme", "docs", "good.txt"), "clerk", out,
                AuditedObjectReader.Release.AFTER_AUDIT);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(content);

        final ObjectLocation lying = writeWithChecksum("lying.txt", content, "blake2b-256:" + "00".repeat(32));
        assertThatThrownBy(() -> reader().read(lying, new ObjectIdentity("acme", "docs", "lying.txt"), "clerk",
                new ByteArrayOutputStream(), AuditedObjectReader.Release.AFTER_AUDIT))
                .isInstanceOf(EnvelopeAuthenticationException.class).hasMessageContaining("blake2b-256 checksum");
        assertThat(mem.audits).anySatisfy(e -> {
            assertThat(e.getAction()).isEqualTo(AuditAction.DECRYPT);
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
            assertThat(e.getObjectKey()).isEqualTo("lying.txt");
            assertThat(e.getReasonCode()).isEqualTo("AUTHENTICATION_FAILED");
        });
        assertThat(mem.audits).noneSatisfy(e -> {
            assertThat(e.getObjectKey()).isEqualTo("lying.txt");
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
        });
    }
}
