package io.sealstream.kms.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyStoreKmsTest extends KmsProviderContract {

    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    Path dir;

    private Path store() {
        return dir.resolve("keys.p12");
    }

    @Override
    protected KeyManagementService createProvider() {
        return LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray());
    }

    @Test
    void createsAnEmptyStoreWhenTheFileIsMissing() {
        final Path fresh = dir.resolve("sub/dir/new.p12");
        try (LocalKeyStoreKms created = LocalKeyStoreKms.open(fresh, PASSPHRASE.toCharArray())) {
            assertThat(fresh).exists();
            assertThat(created.listKeys()).isEmpty();
        }
    }

    @Test
    void rotationsPersistAndAreSeenByOtherInstances() {
        try (LocalKeyStoreKms other = LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray())) {
            final DataKey before = kms.generateDataKey(keyId);
            kms.rotateKey(keyId);
            // `other` was opened before the rotation and must notice the change on disk.
            assertThat(other.describeKey(keyId).versions()).containsExactly("1", "2");
            try (DataKey after = other.generateDataKey(keyId); DataKey old = other.unwrap(before.wrapped())) {
                assertThat(after.kek().version()).isEqualTo("2");
                assertThat(old.copyKeyBytes()).isEqualTo(before.copyKeyBytes());
            }
            before.close();
        }
        kms.close();
        try (LocalKeyStoreKms reopened = LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray())) {
            assertThat(reopened.describeKey(keyId).currentVersion()).isEqualTo("2");
            assertThat(reopened.describeKey(keyId).created()).isAfter(Instant.now().minusSeconds(600));
        }
    }

    @Test
    void wrongPassphraseFailsWithOneLineAndDoesNotLeakIt() {
        final String wrong = "not-the-passphrase-1234";
        assertThatThrownBy(() -> LocalKeyStoreKms.open(store(), wrong.toCharArray()))
                .isInstanceOf(KmsException.class)
                .hasMessage("cannot open key store " + store().toAbsolutePath() + ": wrong passphrase or corrupt file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(PASSPHRASE));
    }

    @Test
    void corruptFileIsReportedLikeAWrongPassphrase() throws IOException {
        final Path corrupt = dir.resolve("corrupt.p12");
        Files.write(corrupt, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> LocalKeyStoreKms.open(corrupt, PASSPHRASE.toCharArray()))
                .hasMessageEndingWith(": wrong passphrase or corrupt file");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void storeFileIsReadableByTheOwnerOnly() throws IOException {
        kms.rotateKey(keyId);
        assertThat(Files.getPosixFilePermissions(store()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp files left")
                    .containsExactlyInAnyOrder("keys.p12", "keys.p12.lock");
        }
    }

    @Test
    void passphraseFromFileWithTrailingNewline() throws IOException {
        final Path passFile = dir.resolve("pass.txt");
        Files.writeString(passFile, PASSPHRASE + "\n", StandardCharsets.UTF_8);
        try (LocalKeyStoreKms fromFile = LocalKeyStoreKms.openFromEnvironment(store(),
                Map.of(LocalKeyStoreKms.PASSPHRASE_FILE_ENV, passFile.toString()))) {
            assertThat(fromFile.describeKey(keyId).keyId()).isEqualTo(keyId);
        }
        try (LocalKeyStoreKms fromVariable = LocalKeyStoreKms.openFromEnvironment(store(),
                Map.of(LocalKeyStoreKms.PASSPHRASE_ENV, PASSPHRASE))) {
            assertThat(fromVariable.describeKey(keyId).keyId()).isEqualTo(keyId);
        }
    }

    @Test
    void aPassphraseMistakenlyPutInTheFileVariableIsNotEchoed() {
        final String secretLookingValue = "my secret passphrase words";
        assertThatThrownBy(() -> LocalKeyStoreKms.openFromEnvironment(store(),
                Map.of(LocalKeyStoreKms.PASSPHRASE_FILE_ENV, secretLookingValue)))
                .isInstanceOf(KmsException.class)
                .hasMessageContaining(LocalKeyStoreKms.PASSPHRASE_FILE_ENV)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secretLookingValue));
    }

    @Test
    void closingDuringRotationsNeverLeavesAStoreThatCanNotBeOpened() throws Exception {
        for (int round = 0; round < 15; round++) {
            final Path file = dir.resolve("race-" + round + ".p12");
            final LocalKeyStoreKms kms = LocalKeyStoreKms.open(file, PASSPHRASE.toCharArray());
            kms.createKey("race");
            final Thread rotator = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        kms.rotateKey("race");
                    }
                } catch (final RuntimeException closedMeanwhile) {
                    // expected once close() wins
                }
            });
            rotator.start();
            Thread.sleep(round % 5);
            kms.close();
            rotator.join();
            try (LocalKeyStoreKms reopened = LocalKeyStoreKms.open(file, PASSPHRASE.toCharArray())) {
                assertThat(reopened.describeKey("race").versions()).isNotEmpty();
            }
        }
    }

    @Test
    void missingPassphraseSaysWhichVariableToSet() {
        assertThatThrownBy(() -> LocalKeyStoreKms.openFromEnvironment(store(), Map.of()))
                .isInstanceOf(KmsException.class)
                .hasMessageContaining(LocalKeyStoreKms.PASSPHRASE_ENV)
                .hasMessageContaining(LocalKeyStoreKms.PASSPHRASE_FILE_ENV)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void keyIdsAreValidatedAndCaseSensitive() {
        assertThatThrownBy(() -> kms.createKey("bad id/with spaces"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A-Z a-z 0-9 . _ -");
        assertThatThrownBy(() -> kms.createKey("x".repeat(129))).isInstanceOf(IllegalArgumentException.class);
        // PKCS#12 aliases are case-insensitive; the store must still keep these two apart.
        kms.createKey("Orders.Key-1");
        kms.createKey("orders.key-1");
        kms.rotateKey("Orders.Key-1");
        assertThat(kms.describeKey("Orders.Key-1").versions()).containsExactly("1", "2");
        assertThat(kms.describeKey("orders.key-1").versions()).containsExactly("1");
        try (DataKey upper = kms.generateDataKey("Orders.Key-1"); DataKey unwrapped = kms.unwrap(upper.wrapped())) {
            assertThat(unwrapped.copyKeyBytes()).isEqualTo(upper.copyKeyBytes());
        }
    }

    @Test
    void creatingAnExistingKeyFails() {
        assertThatThrownBy(() -> kms.createKey(keyId)).isInstanceOf(KmsException.class).hasMessageContaining("already exists");
    }

    @Test
    void wrappedKeysHaveTheDocumentedSize() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            assertThat(key.wrapped().ciphertextLength()).isEqualTo(LocalKeyStoreKms.WRAPPED_BYTES).isEqualTo(60);
        }
    }

    @Test
    void concurrentRotationsFromTwoInstancesLoseNoVersion() throws Exception {
        final int perInstance = 6;
        try (LocalKeyStoreKms other = LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray())) {
            final CyclicBarrier start = new CyclicBarrier(2);
            final ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                final List<Future<?>> results = new ArrayList<>();
                for (final KeyManagementService instance : List.of(kms, other)) {
                    results.add(pool.submit((Callable<Void>) () -> {
                        start.await();
                        for (int i = 0; i < perInstance; i++) {
                            instance.rotateKey(keyId);
                        }
                        return null;
                    }));
                }
                for (final Future<?> result : results) {
                    result.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            final List<String> expected = IntStream.rangeClosed(1, 2 * perInstance + 1).mapToObj(String::valueOf).toList();
            assertThat(kms.describeKey(keyId).versions()).containsExactlyElementsOf(expected);
            assertThat(other.describeKey(keyId).versions()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void concurrentRotationsFromTwoProcessesLoseNoVersion() throws Exception {
        final int perProcess = 3;
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final ProcessBuilder child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RotateMain.class.getName(), store().toString(), keyId, Integer.toString(perProcess))
                .redirectErrorStream(true);
        child.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, PASSPHRASE);
        final Process process = child.start();
        for (int i = 0; i < perProcess; i++) {
            kms.rotateKey(keyId);
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(kms.describeKey(keyId).versions()).hasSize(2 * perProcess + 1);
    }

    /** Child process of {@link #concurrentRotationsFromTwoProcessesLoseNoVersion()}. */
    static final class RotateMain {
        public static void main(final String[] args) {
            try (LocalKeyStoreKms kms = LocalKeyStoreKms.openFromEnvironment(Path.of(args[0]))) {
                for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                    kms.rotateKey(args[1]);
                }
            }
        }
    }

    /** The signing key is derived from the key-store entry: every process that opens the file signs with the same key. */
    @Test
    void theSigningKeyIsTheSameForEveryProcessOnTheKeyStore() throws Exception {
        try (LocalKeyStoreKms first = LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray())) {
            final io.sealstream.kms.KekRef key = first.createSigningKey("audit-signing");
            final byte[] message = "checkpoint".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final byte[] signature = first.sign(key, message);
            try (LocalKeyStoreKms reopened = LocalKeyStoreKms.open(store(), PASSPHRASE.toCharArray())) {
                assertThat(reopened.publicKey(key).getEncoded()).isEqualTo(first.publicKey(key).getEncoded());
                final java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
                verifier.initVerify(reopened.publicKey(key));
                verifier.update(message);
                assertThat(verifier.verify(signature)).isTrue();
            }
        }
    }
}
