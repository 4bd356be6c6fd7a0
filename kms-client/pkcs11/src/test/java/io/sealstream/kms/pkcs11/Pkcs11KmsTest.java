package io.sealstream.kms.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.testing.SoftHsmToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider contract and PKCS#11 specifics against a real SoftHSM2 token (skipped without SoftHSM2). */
class Pkcs11KmsTest extends KmsProviderContract {

    private static SoftHsmToken token;

    @TempDir
    Path dir;

    @Override
    protected KeyManagementService createProvider() {
        // Each test is skipped, with the reason, without SoftHSM2 (or fails under SEALSTREAM_REQUIRE_SOFTHSM=1).
        token = SoftHsmToken.shared();
        return Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), token.slot(), token.pin().toCharArray()));
    }

    @Test
    void theKekIsSensitiveAndNonExtractable() throws Exception {
        final Pkcs11Kms p11 = (Pkcs11Kms) kms;
        final Provider provider = p11.providerForTest();
        final Key kek = p11.secretKeyForTest(kms.describeKey(keyId).currentRef());
        assertThat(kek.getEncoded()).as("the token reveals no key value").isNull();
        assertThat(kek.toString()).as("SunPKCS11's view of CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE")
                .contains("token object").contains("sensitive").contains("unextractable").doesNotContain("not sensitive");
        final SecretKeyFactory factory = SecretKeyFactory.getInstance("AES", provider);
        assertThatThrownBy(() -> factory.getKeySpec((SecretKey) kek, SecretKeySpec.class))
                .as("no key spec with the value").isInstanceOf(InvalidKeySpecException.class);
        // Nor can it be copied into a software key store (SunPKCS11 on Java 17 has no WRAP_MODE to try C_WrapKey).
        final KeyStore software = KeyStore.getInstance("PKCS12");
        software.load(null, null);
        assertThatThrownBy(() -> software.setEntry("copy", new KeyStore.SecretKeyEntry((SecretKey) kek),
                new KeyStore.PasswordProtection("pw".toCharArray())))
                .as("a PKCS#12 copy needs the value").isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void aSecondInstanceSeesKeysCreatedByTheFirstAndTheirRotations() {
        try (Pkcs11Kms other = Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), token.slot(), token.pin().toCharArray()));
             DataKey before = kms.generateDataKey(keyId)) {
            assertThat(other.describeKey(keyId).versions()).containsExactly("1");
            try (DataKey viaOther = other.unwrap(before.wrapped())) {
                assertThat(viaOther.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
            kms.rotateKey(keyId);
            try (DataKey after = other.generateDataKey(keyId)) {
                // `other` read the labels before the rotation; an explicit describe re-reads them.
                assertThat(other.describeKey(keyId).currentVersion()).isEqualTo("2");
                assertThat(kms.unwrap(after.wrapped()).copyKeyBytes()).isEqualTo(after.copyKeyBytes());
            }
        }
    }

    @Test
    void anotherProcessWithItsOwnLoginSeesAndUnwrapsTheKeys() throws Exception {
        final WrappedDataKey wrapped;
        final byte[] plain;
        try (DataKey key = kms.generateDataKey(keyId)) {
            wrapped = key.wrapped();
            plain = key.copyKeyBytes();
        }
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final ProcessBuilder child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ChildMain.class.getName(), Long.toString(token.slot()), keyId, wrapped.dekId(), wrapped.kek().version(),
                HexFormat.of().formatHex(wrapped.ciphertext())).redirectErrorStream(true);
        child.environment().putAll(token.childEnvironment());
        final Process process = child.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("versions=[1]").contains("unwrapped=" + HexFormat.of().formatHex(plain).length())
                .doesNotContain(HexFormat.of().formatHex(plain)).doesNotContain(token.pin());
        // ...and what the child rotated is seen here.
        assertThat(kms.describeKey(keyId).versions()).containsExactly("1", "2");
    }

    /** Child process of {@link #anotherProcessWithItsOwnLoginSeesAndUnwrapsTheKeys()}: PIN from the environment. */
    static final class ChildMain {
        public static void main(final String[] args) {
            final Pkcs11KmsConfig config = Pkcs11KmsConfig.fromProperties(Map.of(
                    Pkcs11KmsConfig.PREFIX + "library", SoftHsmToken.LIBRARY, Pkcs11KmsConfig.PREFIX + "slot", args[0]),
                    System.getenv());
            try (Pkcs11Kms kms = config.open()) {
                System.out.println("versions=" + kms.describeKey(args[1]).versions());
                final WrappedDataKey wrapped = new WrappedDataKey(args[2], new KekRef(Pkcs11Kms.PROVIDER, args[1], args[3]),
                        HexFormat.of().parseHex(args[4]));
                try (DataKey key = kms.unwrap(wrapped)) {
                    System.out.println("unwrapped=" + HexFormat.of().formatHex(key.copyKeyBytes()).length());
                }
                kms.rotateKey(args[1]);
            }
        }
    }

    @Test
    void wrongPinFailsClearlyWithoutThePin() {
        final SoftHsmToken spare = SoftHsmToken.neverLoggedIn();
        final String wrong = "99999999";
        assertThatThrownBy(() -> Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), spare.slot(),
                wrong.toCharArray())))
                .isInstanceOf(KmsException.class)
                .hasMessageContaining("wrong PIN (CKR_PIN_INCORRECT)")
                .hasMessageContaining("slot " + spare.slot())
                // The slot number is random and may contain the PIN's digits by chance: look at the rest.
                .satisfies(e -> assertThat(e.getMessage().replace(Long.toString(spare.slot()), "<slot>"))
                        .doesNotContain(wrong).doesNotContain(spare.pin()).doesNotContain("\n"))
                .satisfies(e -> assertThat(((KmsException) e).isTransient()).isFalse());
    }

    @Test
    void missingLibraryOrSlotFailsWithOneLine() {
        assertThatThrownBy(() -> Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(Path.of("/nonexistent/libpkcs11.so"), 0,
                "1234".toCharArray())))
                .isInstanceOf(KmsException.class)
                .hasMessage("PKCS#11 library /nonexistent/libpkcs11.so not found");
        assertThatThrownBy(() -> Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), 424242,
                "1234".toCharArray())))
                .isInstanceOf(KmsException.class)
                .hasMessageStartingWith("cannot load PKCS#11 token in slot 424242 of " + SoftHsmToken.LIBRARY)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("1234"));
        assertThatThrownBy(() -> Pkcs11Kms.open(new Pkcs11KmsConfig(dir.resolve("missing.cfg"), null, null, null,
                Pkcs11KmsConfig.DEFAULT_REFRESH_INTERVAL, Pkcs11KmsConfig.Pin.of("1234".toCharArray()))))
                .isInstanceOf(KmsException.class).hasMessageContaining("missing.cfg not found");
    }

    @Test
    void aSunPkcs11ConfigFileOfYourOwnWorks() throws Exception {
        final Path cfg = dir.resolve("p11.cfg");
        Files.writeString(cfg, Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), token.slot(), token.pin().toCharArray())
                .generatedSunPkcs11Config());
        final Pkcs11KmsConfig config = Pkcs11KmsConfig.fromProperties(
                Map.of(Pkcs11KmsConfig.PREFIX + "config-file", cfg.toString()), Map.of(Pkcs11Kms.PIN_ENV, token.pin()));
        try (Pkcs11Kms fromFile = config.open(); DataKey key = kms.generateDataKey(keyId);
             DataKey unwrapped = fromFile.unwrap(key.wrapped())) {
            assertThat(unwrapped.copyKeyBytes()).isEqualTo(key.copyKeyBytes());
        }
    }

    @Test
    void aConfigThatWouldMakeExtractableKeysIsRefused() throws Exception {
        final Path cfg = dir.resolve("extractable.cfg");
        Files.writeString(cfg, "name = extractable\nlibrary = " + SoftHsmToken.LIBRARY + "\nslot = " + token.slot()
                + "\nattributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = false\n  CKA_EXTRACTABLE = true\n}\n");
        try (Pkcs11Kms careless = new Pkcs11KmsConfig(cfg, null, null, null, Pkcs11KmsConfig.DEFAULT_REFRESH_INTERVAL,
                Pkcs11KmsConfig.Pin.of(token.pin().toCharArray())).open()) {
            final String id = freshKeyId();
            assertThatThrownBy(() -> careless.createKey(id)).isInstanceOf(KmsException.class)
                    .hasMessageContaining("is extractable");
            assertThat(careless.listKeys()).extracting(KeyDescription::keyId).doesNotContain(id);
        }
    }

    @Test
    void wrappedKeysHaveTheDocumentedSizeAndAFailedTagNamesTheDekId() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            assertThat(key.wrapped().ciphertextLength()).isEqualTo(Pkcs11Kms.WRAPPED_BYTES).isEqualTo(60);
            final byte[] bytes = key.wrapped().ciphertext();
            bytes[20] ^= 0x40;
            assertThatThrownBy(() -> kms.unwrap(new WrappedDataKey(key.dekId(), key.kek(), bytes)))
                    .isInstanceOf(KeyUnwrapException.class)
                    .hasMessage("wrapped data key " + key.dekId() + " was rejected by KEK " + key.kek());
        }
    }

    @Test
    void destroyedKeyVersionIsGoneFromTheToken() {
        kms.rotateKey(keyId);
        kms.destroyKeyVersion(keyId, "1");
        try (Pkcs11Kms other = Pkcs11Kms.open(Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), token.slot(), token.pin().toCharArray()))) {
            assertThat(other.describeKey(keyId).versions()).containsExactly("2");
        }
    }

    @Test
    void fromPropertiesValidatesAndNeverTakesThePinFromThem() {
        assertThatThrownBy(() -> Pkcs11KmsConfig.fromProperties(Map.of(Pkcs11KmsConfig.PREFIX + "pin", "1234"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Pkcs11Kms.PIN_ENV)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("1234"));
        assertThatThrownBy(() -> Pkcs11KmsConfig.fromProperties(token.properties(), Map.of()))
                .isInstanceOf(KmsException.class).hasMessageContaining(Pkcs11Kms.PIN_FILE_ENV);
        assertThatThrownBy(() -> Pkcs11KmsConfig.fromProperties(Map.of(Pkcs11KmsConfig.PREFIX + "libary", "/x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sealstream.kms.pkcs11.libary");
        final Pkcs11KmsConfig config = Pkcs11KmsConfig.fromProperties(token.properties(), Map.of(Pkcs11Kms.PIN_ENV, "s3cr3t-pin"));
        assertThat(config.toString()).doesNotContain("s3cr3t-pin").contains("<redacted>");
        assertThat(config.generatedSunPkcs11Config()).contains("CKA_EXTRACTABLE = false").contains("slot = " + token.slot());
    }

    @Test
    void pinFromFile() throws Exception {
        final Path pinFile = dir.resolve("pin");
        Files.writeString(pinFile, token.pin() + "\n");
        try (Pkcs11Kms fromFile = Pkcs11KmsConfig.fromProperties(token.properties(),
                Map.of(Pkcs11Kms.PIN_FILE_ENV, pinFile.toString())).open()) {
            assertThat(fromFile.describeKey(keyId).keyId()).isEqualTo(keyId);
        }
    }

    @Test
    void throughput() {
        final int n = 2000;
        final List<WrappedDataKey> wrapped = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (DataKey key = kms.generateDataKey(keyId)) {
                wrapped.add(key.wrapped());
            }
        }
        final double generatePerSecond = n / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        for (final WrappedDataKey w : wrapped) {
            kms.unwrap(w).close();
        }
        final double unwrapPerSecond = n / ((System.nanoTime() - start) / 1e9);
        System.out.printf("SoftHSM2 via SunPKCS11, one thread: generateDataKey %.0f/s, unwrap %.0f/s%n",
                generatePerSecond, unwrapPerSecond);
        assertThat(generatePerSecond).isGreaterThan(50);
    }
}
