package io.sealstream.kms.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract for customer-provided keys. The contract's {@code createKey} and {@code rotateKey} stand for the
 * customer: {@link #createKey(KeyManagementService)} registers a random key, and {@link CustomerRotates} turns the
 * contract's {@code rotateKey} into "the customer registers a new key under the same id" (the provider itself
 * refuses both, see {@link #theProviderItselfNeitherCreatesNorRotates}). No {@code supports*} hook is overridden.
 */
class CustomerKeyKmsTest extends KmsProviderContract {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] FINGERPRINT_KEY = random(32);

    private CustomerKeyring keyring;

    private static byte[] random(final int n) {
        final byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The contract's view of a customer: creating and rotating are registering a new random key. */
    private static final class CustomerRotates extends io.sealstream.kms.ForwardingKeyManagementService {
        private final CustomerKeyKms customer;
        private final CustomerKeyring keyring;

        CustomerRotates(final CustomerKeyKms delegate, final CustomerKeyring keyring) {
            super(delegate);
            this.customer = delegate;
            this.keyring = keyring;
        }

        @Override
        public KeyDescription rotateKey(final String kekId) {
            customer.describeKey(kekId); // KeyNotFoundException for unknown ids, as a KMS would
            customer.keyring().register(kekId, random(32));
            return customer.describeKey(kekId);
        }

        @Override
        public void close() {
            super.close();
            keyring.close(); // zeroes the keys
        }
    }

    @Override
    protected KeyManagementService createProvider() {
        keyring = new CustomerKeyring(new FingerprintKey(FINGERPRINT_KEY));
        return new CustomerRotates(CustomerKeyKms.using(keyring), keyring);
    }

    /** The customer brings a key. */
    @Override
    protected String createKey(final KeyManagementService provider) {
        final String id = freshKeyId();
        keyring.register(id, random(32));
        return id;
    }

    // ---------------------------------------------------------------- customer-key specifics

    @Test
    void theProviderItselfNeitherCreatesNorRotates() {
        final CustomerKeyKms provider = CustomerKeyKms.using(keyring);
        assertThatThrownBy(() -> provider.createKey("x")).isInstanceOf(UnsupportedKmsOperationException.class);
        assertThatThrownBy(() -> provider.rotateKey(keyId)).isInstanceOf(UnsupportedKmsOperationException.class);
    }

    @Test
    void theVersionIsTheKeyedFingerprintAndTheNewestKeyIsCurrent() {
        final byte[] second = random(32);
        try (DataKey before = kms.generateDataKey(keyId)) {
            assertThat(before.kek().version()).matches("fp-[0-9a-f]{32}");
            final String secondVersion = keyring.register(keyId, second);
            final KeyDescription described = kms.describeKey(keyId);
            assertThat(described.currentVersion()).isEqualTo(secondVersion);
            assertThat(described.versions()).containsExactly(before.kek().version(), secondVersion);
            try (DataKey after = kms.generateDataKey(keyId); DataKey old = kms.unwrap(before.wrapped())) {
                assertThat(after.kek().version()).isEqualTo(secondVersion);
                assertThat(old.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
        }
    }

    @Test
    void aWrongKeyIsRefusedWithoutKeyBytesInTheMessage() {
        final byte[] right = random(32);
        final byte[] wrong = random(32);
        final WrappedDataKey wrapped;
        try (CustomerKeyring ring = new CustomerKeyring(new FingerprintKey(FINGERPRINT_KEY));
             CustomerKeyKms provider = CustomerKeyKms.using(ring)) {
            ring.register("tenant", right);
            try (DataKey key = provider.generateDataKey("tenant")) {
                wrapped = key.wrapped();
            }
        }
        try (CustomerKeyring ring = new CustomerKeyring(new FingerprintKey(FINGERPRINT_KEY));
             CustomerKeyKms provider = CustomerKeyKms.using(ring)) {
            assertThatThrownBy(() -> provider.unwrap(wrapped)).isInstanceOf(KeyNotFoundException.class)
                    .hasMessageContaining("no customer key loaded for 'tenant'");
            ring.register("tenant", wrong);
            final Throwable e = catchThrown(() -> provider.unwrap(wrapped));
            assertThat(e).isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining("customer key for 'tenant' does not match the fingerprint the data key was wrapped under")
                    .hasMessageContaining(wrapped.dekId());
            assertNoSecrets(e.getMessage(), right, wrong, FINGERPRINT_KEY);
            ring.register("tenant", right); // the customer supplies the right key again
            provider.unwrap(wrapped).close();
        }
    }

    @Test
    void theFingerprintIsKeyedAndBoundToTheKeyId() {
        final byte[] customer = random(32);
        try (FingerprintKey a = new FingerprintKey(FINGERPRINT_KEY); FingerprintKey b = new FingerprintKey(random(32))) {
            assertThat(a.fingerprint("t", customer)).isEqualTo(a.fingerprint("t", customer.clone()))
                    .isNotEqualTo(b.fingerprint("t", customer))
                    .isNotEqualTo(a.fingerprint("u", customer))
                    .isNotEqualTo(a.fingerprint("t", random(32)));
        }
        assertThatThrownBy(() -> new FingerprintKey(random(16))).isInstanceOf(KmsException.class);
    }

    @Test
    void neitherTheFingerprintKeyNorCustomerKeysAppearInToStringOrLogs(@TempDir final Path dir) throws IOException {
        final byte[] customer = random(32);
        final Path keyFile = dir.resolve("tenant.key");
        Files.write(keyFile, customer);
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream originalErr = System.err;
        final PrintStream originalOut = System.out;
        final String text;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            final CustomerKeyConfig config = CustomerKeyConfig.fromProperties(
                    Map.of("sealstream.kms.customer.keys.tenant.file", keyFile.toString()),
                    Map.of(FingerprintKey.KEY_ENV, Base64.getEncoder().encodeToString(FINGERPRINT_KEY)));
            try (CustomerKeyKms provider = CustomerKeyKms.open(config)) {
                try (DataKey key = provider.generateDataKey("tenant")) {
                    provider.unwrap(key.wrapped()).close();
                    provider.keyring().register("tenant", random(32));
                    provider.destroyKeyVersion("tenant", key.kek().version());
                    System.err.println(provider + " " + provider.keyring() + " " + config + " " + config.fingerprintKey());
                }
            }
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
            text = captured.toString(StandardCharsets.UTF_8);
        }
        assertThat(text).contains("customer key tenant@fp-").contains("FingerprintKey[<redacted>]");
        assertNoSecrets(text, customer, FINGERPRINT_KEY);
    }

    @Test
    void keyFilesLoadAsRawBase64OrHexAndThePreviousOnesStayUsable(@TempDir final Path dir) throws IOException {
        final byte[] old = random(32);
        final byte[] older = random(32);
        final byte[] current = random(32);
        Files.writeString(dir.resolve("older.hex"), HexFormat.of().formatHex(older) + "\n");
        Files.writeString(dir.resolve("old.b64"), Base64.getEncoder().encodeToString(old) + "\n");
        Files.write(dir.resolve("current.bin"), current);
        final Path fpFile = dir.resolve("fp.key");
        Files.write(fpFile, random(48));
        final CustomerKeyConfig config = CustomerKeyConfig.fromProperties(Map.of(
                "sealstream.kms.customer.keys.t1.file", dir.resolve("current.bin").toString(),
                "sealstream.kms.customer.keys.t1.previous-files", dir.resolve("older.hex") + ", " + dir.resolve("old.b64"),
                "sealstream.other", "ignored"), Map.of(FingerprintKey.KEY_FILE_ENV, fpFile.toString()));
        assertThat(config.keyFiles().get("t1")).extracting(CustomerKeyConfig.KeyFile::path)
                .containsExactly(dir.resolve("older.hex"), dir.resolve("old.b64"), dir.resolve("current.bin"));
        try (CustomerKeyKms provider = CustomerKeyKms.open(config)) {
            final KeyDescription d = provider.describeKey("t1");
            assertThat(d.versions()).hasSize(3);
            try (CustomerKeyring ring = new CustomerKeyring(config.fingerprintKey())) {
                assertThat(d.currentVersion()).isEqualTo(ring.register("t1", current));
                assertThat(d.versions().get(0)).isEqualTo(ring.register("t1", older));
            }
        }
        Files.writeString(dir.resolve("short.b64"), Base64.getEncoder().encodeToString(random(16)));
        final CustomerKeyConfig bad = CustomerKeyConfig.fromProperties(Map.of(
                "sealstream.kms.customer.keys.t2.file", dir.resolve("short.b64").toString()),
                Map.of(FingerprintKey.KEY_FILE_ENV, fpFile.toString()));
        assertThatThrownBy(() -> CustomerKeyKms.open(bad)).isInstanceOf(KmsException.class)
                .hasMessageContaining("short.b64").hasMessageContaining("sealstream.kms.customer.keys.t2.file");
        // A password is not a key: every object header lets anyone test guesses of it offline.
        final String password = "correct horse battery staple 12!";
        assertThat(password).hasSize(32);
        Files.writeString(dir.resolve("password.key"), password);
        final CustomerKeyConfig passwordFile = CustomerKeyConfig.fromProperties(Map.of(
                "sealstream.kms.customer.keys.t4.file", dir.resolve("password.key").toString()),
                Map.of(FingerprintKey.KEY_FILE_ENV, fpFile.toString()));
        assertThatThrownBy(() -> CustomerKeyKms.open(passwordFile)).isInstanceOf(KmsException.class)
                .hasMessageContaining("password.key").hasMessageContaining("32 printable characters")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
        assertThatThrownBy(() -> CustomerKeyConfig.fromProperties(Map.of(), Map.of()))
                .hasMessageContaining(FingerprintKey.KEY_ENV).hasMessageContaining(FingerprintKey.KEY_FILE_ENV);
        assertThatThrownBy(() -> CustomerKeyConfig.fromProperties(Map.of("sealstream.kms.customer.keys.t3.previous-files", "x"),
                Map.of(FingerprintKey.KEY_FILE_ENV, fpFile.toString()))).hasMessageContaining("t3.file");
    }

    @Test
    void closingZeroesTheKeysAndForgettingIsFinal() {
        final byte[] key = random(32);
        final CustomerKeyring ring = new CustomerKeyring(new FingerprintKey(FINGERPRINT_KEY));
        final CustomerKeyKms provider = CustomerKeyKms.using(ring);
        final String version = ring.register("t", key);
        key[0] ^= 1; // the caller's array is not the keyring's
        final io.sealstream.kms.ZeroizableKey held = ring.snapshot("t").get(0).key();
        try (DataKey dk = provider.generateDataKey("t")) {
            assertThat(dk.kek().version()).isEqualTo(version);
        }
        ring.close();
        assertThat(held.isDestroyed()).isTrue();
        assertThatThrownBy(held::getEncoded).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> provider.generateDataKey("t")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ring.register("t", random(32))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new CustomerKeyring(new FingerprintKey(FINGERPRINT_KEY)).register("t", random(31)))
                .isInstanceOf(KmsException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void rewrapNeedsBothKeysLoaded() {
        try (DataKey before = kms.generateDataKey(keyId)) {
            final String oldVersion = before.kek().version();
            final String newVersion = keyring.register(keyId, random(32));
            final WrappedDataKey moved = kms.rewrap(before.wrapped());
            assertThat(moved.kek().version()).isEqualTo(newVersion);
            assertThat(moved.dekId()).isEqualTo(before.dekId());
            kms.destroyKeyVersion(keyId, oldVersion);
            assertThatThrownBy(() -> kms.rewrap(before.wrapped())).isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining("does not match the fingerprint");
            try (DataKey back = kms.unwrap(moved)) {
                assertThat(back.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
        }
    }

    private static void assertNoSecrets(final String text, final byte[]... secrets) {
        for (final byte[] secret : secrets) {
            final String hex = HexFormat.of().formatHex(secret);
            assertThat(text).doesNotContainIgnoringCase(hex.substring(0, 16))
                    .doesNotContain(Base64.getEncoder().encodeToString(secret).substring(0, 16));
        }
    }

    private static Throwable catchThrown(final Runnable action) {
        try {
            action.run();
        } catch (final Throwable e) {
            return e;
        }
        throw new AssertionError("nothing thrown");
    }
}
