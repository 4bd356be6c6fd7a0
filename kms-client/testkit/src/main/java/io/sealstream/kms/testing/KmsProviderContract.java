package io.sealstream.kms.testing;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.SigningKeys;
import io.sealstream.kms.WrappedDataKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyManagementService} provider must do. Provider modules extend this class (it ships in the
 * kms-client test-jar) and implement {@link #createProvider()}; providers that cannot create or rotate keys override
 * {@link #createKey} or {@link #supportsRotation()}.
 */
public abstract class KmsProviderContract {

    protected KeyManagementService kms;
    protected String keyId;

    /** A provider ready to use; closed after each test. */
    protected abstract KeyManagementService createProvider() throws Exception;

    /** A key id not used before in this provider. */
    protected String freshKeyId() {
        return "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Makes a usable KEK and returns its id; override for providers whose keys are made elsewhere. */
    protected String createKey(final KeyManagementService provider) {
        final String id = freshKeyId();
        provider.createKey(id);
        return id;
    }

    /** False for providers that can not rotate keys (rotation cases are then skipped). */
    protected boolean supportsRotation() {
        return true;
    }

    /** False for providers that cannot destroy a single KEK version (the version-destruction case is then skipped). */
    protected boolean supportsVersionDestruction() {
        return supportsRotation();
    }

    /** False for providers that cannot destroy a whole KEK (the key-destruction case is then skipped). */
    protected boolean supportsKeyDestruction() {
        return true;
    }

    @BeforeEach
    void setUpProvider() throws Exception {
        kms = createProvider();
        keyId = createKey(kms);
    }

    @AfterEach
    void closeProvider() {
        if (kms != null) {
            kms.close();
        }
    }

    @Test
    void generatedKeyUnwrapsToTheSameBytes() {
        try (DataKey generated = kms.generateDataKey(keyId);
             DataKey unwrapped = kms.unwrap(generated.wrapped())) {
            assertThat(unwrapped.copyKeyBytes()).hasSize(DataKey.KEY_BYTES).isEqualTo(generated.copyKeyBytes());
            assertThat(unwrapped.dekId()).isEqualTo(generated.dekId());
            assertThat(generated.kek().provider()).isEqualTo(kms.providerName());
            assertThat(generated.kek().keyId()).isEqualTo(keyId);
        }
    }

    @Test
    void wrappedFormAndToStringRevealNoKeyMaterial() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final byte[] plain = key.copyKeyBytes();
            final String hex = HexFormat.of().formatHex(plain);
            final String wrappedHex = HexFormat.of().formatHex(key.wrapped().ciphertext());
            assertThat(wrappedHex).doesNotContain(hex);
            assertThat(key.toString()).doesNotContainIgnoringCase(hex).doesNotContainIgnoringCase(hex.substring(0, 16));
            assertThat(key.wrapped().toString()).doesNotContainIgnoringCase(hex.substring(0, 16));
        }
    }

    @Test
    void everyDataKeyIsNew() {
        try (DataKey a = kms.generateDataKey(keyId); DataKey b = kms.generateDataKey(keyId)) {
            assertThat(a.copyKeyBytes()).isNotEqualTo(b.copyKeyBytes());
            assertThat(a.dekId()).isNotEqualTo(b.dekId());
            assertThat(a.wrapped().ciphertext()).isNotEqualTo(b.wrapped().ciphertext());
        }
    }

    /**
     * A data key made for one tenant's bucket unwraps only for that scope: asked for another tenant, another bucket or
     * no tenant at all, the provider refuses it (so a tenant that knows one of its own keys can not have it accepted
     * for another tenant's object), and a re-wrap keeps the scope.
     */
    @Test
    void aKeyBoundToOneTenantBucketIsRefusedForAnyOther() {
        final KeyScope acme = KeyScope.of("acme", "photos");
        try (DataKey key = kms.generateDataKey(keyId, acme)) {
            assertThat(key.wrapped().scope()).isEqualTo(acme);
            try (DataKey same = kms.unwrap(key.wrapped())) {
                assertThat(same.copyKeyBytes()).isEqualTo(key.copyKeyBytes());
            }
            for (final KeyScope other : List.of(KeyScope.of("globex", "photos"), KeyScope.of("acme", "invoices"),
                    KeyScope.of("acme/photos", "x"), KeyScope.UNSCOPED)) {
                assertThatThrownBy(() -> kms.unwrap(key.wrapped().withScope(other)).close())
                        .as("claimed for %s", other)
                        .isInstanceOf(KeyUnwrapException.class);
            }
        }
        try (DataKey unscoped = kms.generateDataKey(keyId)) {
            assertThatThrownBy(() -> kms.unwrap(unscoped.wrapped().withScope(acme)).close())
                    .as("an unscoped key claimed for a tenant")
                    .isInstanceOf(KeyUnwrapException.class);
        }
    }

    /**
     * For providers that hold signing keys (audit checkpoints): signatures verify with the published public key and
     * nothing else, and a rotation starts a new key while the old version's public key stays available for old
     * checkpoints.
     */
    @Test
    void signingKeysSignVerifiablyAndRotate() throws Exception {
        assumeTrue(kms instanceof SigningKeys, "the provider holds no signing keys");
        final SigningKeys keys = (SigningKeys) kms;
        final String signingKeyId = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        final KekRef first = keys.createSigningKey(signingKeyId);
        assertThat(keys.currentSigningKey(signingKeyId)).isEqualTo(first);
        final byte[] message = "sealstream-audit-checkpoint-v1 test".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final byte[] signature = keys.sign(first, message);
        assertThat(verifies(keys.publicKey(first), message, signature)).isTrue();
        final byte[] other = message.clone();
        other[0] ^= 1;
        assertThat(verifies(keys.publicKey(first), other, signature)).isFalse();
        assertThat(keys.publicKey(first).getEncoded()).as("one key per version")
                .isEqualTo(keys.publicKey(first).getEncoded());
        assertThatThrownBy(() -> keys.currentSigningKey("no-such-key-" + UUID.randomUUID().toString().substring(0, 8)))
                .isInstanceOf(KeyNotFoundException.class);
        if (supportsRotation()) {
            kms.rotateKey(signingKeyId);
            final KekRef second = keys.currentSigningKey(signingKeyId);
            assertThat(second).isNotEqualTo(first);
            assertThat(keys.publicKey(second).getEncoded()).isNotEqualTo(keys.publicKey(first).getEncoded());
            assertThat(verifies(keys.publicKey(first), message, signature)).as("old checkpoints still verify").isTrue();
        }
    }

    private static boolean verifies(final java.security.PublicKey key, final byte[] message, final byte[] signature)
            throws java.security.GeneralSecurityException {
        final java.security.Signature verifier = java.security.Signature.getInstance(SigningKeys.ALGORITHM);
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    @Test
    void tamperedCiphertextIsRejected() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final byte[] original = key.wrapped().ciphertext();
            for (final int position : new int[] {0, original.length / 2, original.length - 1}) {
                final byte[] tampered = original.clone();
                tampered[position] ^= 0x01;
                final WrappedDataKey forged = new WrappedDataKey(key.dekId(), key.kek(), tampered);
                assertThatThrownBy(() -> kms.unwrap(forged))
                        .as("flipped byte %d", position)
                        .isInstanceOf(KeyUnwrapException.class)
                        .hasMessageContaining(key.dekId());
            }
        }
    }

    /**
     * A wrapped key is read from an object header, which anyone who can write to the store controls: whatever its
     * bytes, unwrapping fails with a {@link KmsException} (the documented failure the envelope turns into a rejected
     * object), never with a stray runtime exception from a parser, and never yields another key. A seeded mix of
     * truncations, extensions, overwritten bytes (0x00, 0xFF, random: length fields pointing anywhere) and random
     * strings of bytes.
     */
    @Test
    void malformedWrappedKeysFailOnlyAsKmsExceptions() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final byte[] original = key.wrapped().ciphertext();
            final byte[] plaintext = key.copyKeyBytes();
            final java.util.Random random = new java.util.Random(20261206L);
            final java.util.List<byte[]> mutations = new java.util.ArrayList<>();
            for (int i = 0; i < 48; i++) {
                mutations.add(java.util.Arrays.copyOf(original, 1 + random.nextInt(Math.max(1, original.length - 1))));
                final byte[] longer = java.util.Arrays.copyOf(original, original.length + 1 + random.nextInt(64));
                mutations.add(longer);
                final byte[] overwritten = original.clone();
                final int at = random.nextInt(overwritten.length);
                overwritten[at] = switch (i % 3) {
                    case 0 -> (byte) 0x00;
                    case 1 -> (byte) 0xFF;
                    default -> (byte) random.nextInt(256);
                };
                mutations.add(overwritten);
                final byte[] noise = new byte[1 + random.nextInt(original.length * 2)];
                random.nextBytes(noise);
                if (i % 4 == 0 && noise.length > 0) {
                    noise[0] = original[0]; // past a format byte check, into the length fields
                }
                mutations.add(noise);
            }
            for (final byte[] mutated : mutations) {
                if (java.util.Arrays.equals(mutated, original)) {
                    continue;
                }
                final WrappedDataKey forged = new WrappedDataKey(key.dekId(), key.kek(), mutated);
                try (DataKey unwrapped = kms.unwrap(forged)) {
                    assertThat(unwrapped.copyKeyBytes()).as("a mutated wrapped key unwrapped to another key: %s",
                            HexFormat.of().formatHex(mutated)).isEqualTo(plaintext);
                } catch (final RuntimeException e) {
                    assertThat(e).as("unwrapping %s", HexFormat.of().formatHex(mutated)).isInstanceOf(KmsException.class);
                }
            }
            java.util.Arrays.fill(plaintext, (byte) 0);
        }
    }

    @Test
    void wrappedKeyMovedToAnotherDekIdIsRejected() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final WrappedDataKey moved = new WrappedDataKey(DekIds.newDekId(), key.kek(), key.wrapped().ciphertext());
            assertThatThrownBy(() -> kms.unwrap(moved).close()).isInstanceOf(KmsException.class);
        }
    }

    @Test
    void wrappedKeyRelabelledWithAnotherVersionIsRejected() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final KekRef bogus = new KekRef(key.kek().provider(), key.kek().keyId(), "999999");
            assertThatThrownBy(() -> kms.unwrap(new WrappedDataKey(key.dekId(), bogus, key.wrapped().ciphertext())).close())
                    .isInstanceOf(KmsException.class);
            if (supportsRotation()) {
                final String newVersion = kms.rotateKey(keyId).currentVersion();
                final KekRef relabelled = new KekRef(key.kek().provider(), key.kek().keyId(), newVersion);
                assertThat(newVersion).isNotEqualTo(key.kek().version());
                assertThatThrownBy(() -> kms.unwrap(new WrappedDataKey(key.dekId(), relabelled, key.wrapped().ciphertext())).close())
                        .isInstanceOf(KmsException.class);
            }
        }
    }

    @Test
    void rotationKeepsOldVersionsUnwrappable() {
        assumeTrue(supportsRotation());
        try (DataKey before = kms.generateDataKey(keyId)) {
            final KeyDescription rotated = kms.rotateKey(keyId);
            assertThat(rotated.currentVersion()).isNotEqualTo(before.kek().version());
            try (DataKey after = kms.generateDataKey(keyId);
                 DataKey old = kms.unwrap(before.wrapped())) {
                assertThat(after.kek()).isEqualTo(rotated.currentRef());
                assertThat(old.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
        }
    }

    @Test
    void rewrapMovesAKeyToTheCurrentVersion() {
        assumeTrue(supportsRotation());
        try (DataKey before = kms.generateDataKey(keyId, KeyScope.of("acme", "photos"))) {
            final KeyDescription rotated = kms.rotateKey(keyId);
            final WrappedDataKey rewrapped = kms.rewrap(before.wrapped());
            assertThat(rewrapped.dekId()).isEqualTo(before.dekId());
            assertThat(rewrapped.kek()).isEqualTo(rotated.currentRef());
            assertThat(rewrapped.scope()).as("the scope survives a re-wrap").isEqualTo(before.wrapped().scope());
            try (DataKey unwrapped = kms.unwrap(rewrapped)) {
                assertThat(unwrapped.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
            assertThatThrownBy(() -> kms.unwrap(rewrapped.withScope(KeyScope.of("globex", "photos"))).close())
                    .as("the re-wrapped key is still bound to its tenant bucket")
                    .isInstanceOf(KeyUnwrapException.class);
            assertThat(kms.rewrap(rewrapped)).as("already current").isEqualTo(rewrapped);
        }
    }

    @Test
    void describeAndListShowTheVersions() {
        final KeyDescription initial = kms.describeKey(keyId);
        assertThat(initial.keyId()).isEqualTo(keyId);
        assertThat(initial.provider()).isEqualTo(kms.providerName());
        assertThat(initial.versions()).containsExactly(initial.currentVersion());
        assertThat(kms.listKeys()).extracting(KeyDescription::keyId).contains(keyId);
        if (supportsRotation()) {
            final KeyDescription rotated = kms.rotateKey(keyId);
            assertThat(rotated.versions()).hasSize(2).containsSequence(initial.currentVersion(), rotated.currentVersion());
            assertThat(kms.describeKey(keyId)).isEqualTo(rotated);
            assertThat(kms.listKeys()).filteredOn(d -> d.keyId().equals(keyId)).containsExactly(rotated);
        }
    }

    @Test
    void unknownKeyIsReportedAsNotFound() {
        final String unknown = freshKeyId();
        assertThatThrownBy(() -> kms.generateDataKey(unknown)).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> kms.describeKey(unknown)).isInstanceOf(KeyNotFoundException.class);
        try (DataKey key = kms.generateDataKey(keyId)) {
            final KekRef other = new KekRef(key.kek().provider(), unknown, key.kek().version());
            assertThatThrownBy(() -> kms.unwrap(new WrappedDataKey(key.dekId(), other, key.wrapped().ciphertext())))
                    .isInstanceOf(KeyNotFoundException.class);
        }
    }

    @Test
    void destroyZeroesTheKey() {
        final DataKey key = kms.generateDataKey(keyId);
        key.close();
        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(key::copyKeyBytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(key::copy).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void destroyedVersionNoLongerUnwrapsButOthersDo() {
        assumeTrue(supportsVersionDestruction(), "provider cannot destroy single versions");
        try (DataKey old = kms.generateDataKey(keyId)) {
            final KeyDescription rotated = kms.rotateKey(keyId);
            final WrappedDataKey rewrapped = kms.rewrap(old.wrapped());
            try (DataKey current = kms.generateDataKey(keyId)) {
                assertThatThrownBy(() -> kms.destroyKeyVersion(keyId, rotated.currentVersion()))
                        .as("the current version is refused").isInstanceOf(KmsException.class);
                kms.destroyKeyVersion(keyId, old.kek().version());
                kms.destroyKeyVersion(keyId, old.kek().version()); // idempotent
                assertThatThrownBy(() -> kms.unwrap(old.wrapped()).close()).isInstanceOf(KmsException.class);
                assertThat(kms.describeKey(keyId).versions()).doesNotContain(old.kek().version())
                        .contains(rotated.currentVersion());
                try (DataKey viaRewrap = kms.unwrap(rewrapped); DataKey stillCurrent = kms.unwrap(current.wrapped())) {
                    assertThat(viaRewrap.copyKeyBytes()).isEqualTo(old.copyKeyBytes());
                    assertThat(stillCurrent.copyKeyBytes()).isEqualTo(current.copyKeyBytes());
                }
            }
        }
    }

    @Test
    void destroyedKeyUnwrapsNothingAndIsGone() {
        assumeTrue(supportsKeyDestruction(), "provider cannot destroy keys");
        try (DataKey key = kms.generateDataKey(keyId)) {
            kms.destroyKey(keyId);
            assertThatThrownBy(() -> kms.unwrap(key.wrapped()).close()).isInstanceOf(KmsException.class);
            assertThatThrownBy(() -> kms.generateDataKey(keyId).close()).isInstanceOf(KmsException.class);
            assertThat(kms.listKeys()).extracting(KeyDescription::keyId).doesNotContain(keyId);
        }
    }
}
