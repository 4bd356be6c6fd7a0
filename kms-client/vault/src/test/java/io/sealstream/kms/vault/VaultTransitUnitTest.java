package io.sealstream.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VaultTransitKms} against {@link FakeTransitServer} (an in-JVM HTTP server on 127.0.0.1): error mapping, the
 * token on the wire but never in messages, version handling, configuration; and the contract. Runs without Docker.
 */
class VaultTransitUnitTest {

    private final FakeTransitServer server = startServer("transit");
    private final VaultTransitKms kms = VaultTransitKms.open(config(server));

    private static FakeTransitServer startServer(final String mount) {
        try {
            return new FakeTransitServer(mount);
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static VaultTransitConfig config(final FakeTransitServer fake) {
        return new VaultTransitConfig(fake.address(), "transit", null, Duration.ofSeconds(2), Duration.ofSeconds(5),
                VaultToken.of(FakeTransitServer.TOKEN));
    }

    @AfterEach
    void stop() {
        kms.close();
        server.close();
    }

    /** The shared contract against the fake server; nothing overridden, as for real Vault ({@link VaultTransitTest}). */
    @Nested
    class Contract extends KmsProviderContract {
        @Override
        protected KeyManagementService createProvider() {
            return VaultTransitKms.open(config(server));
        }
    }

    private static void assertClean(final Throwable e) {
        assertThat(e.getMessage()).doesNotContain(FakeTransitServer.TOKEN).doesNotContain("\n");
    }

    @Test
    void theTokenIsSentOnEveryRequestButNeverAppearsInErrors() {
        kms.createKey("k");
        assertThat(server.headers).isNotEmpty().allSatisfy(h ->
                assertThat(h.get("X-vault-token")).containsExactly(FakeTransitServer.TOKEN));
        server.failNext(400, "{\"errors\":[\"bad token " + FakeTransitServer.TOKEN + " in request\"]}");
        final KmsException e = (KmsException) catchThrown(() -> kms.describeKey("k"));
        assertClean(e);
        assertThat(e.getMessage()).contains("<redacted>");
        assertThat(kms.toString()).doesNotContain(FakeTransitServer.TOKEN);
        assertThat(config(server).toString()).doesNotContain(FakeTransitServer.TOKEN).contains("<redacted>");
    }

    @Test
    void aWrongTokenIsAPermanentDenial() {
        kms.createKey("k");
        try (VaultTransitKms wrong = VaultTransitKms.open(config(server).withNamespace("team-a")
                .withMount("transit"))) {
            assertThat(wrong.describeKey("k").keyId()).isEqualTo("k");
            assertThat(server.headers.get(server.headers.size() - 1).get("X-vault-namespace")).containsExactly("team-a");
        }
        final VaultTransitConfig bad = new VaultTransitConfig(server.address(), "transit", null, Duration.ofSeconds(2),
                Duration.ofSeconds(5), VaultToken.of("hvs.not-the-token-987"));
        try (VaultTransitKms wrong = VaultTransitKms.open(bad)) {
            final Throwable e = catchThrown(() -> wrong.generateDataKey("k"));
            assertThat(e).isInstanceOf(KmsException.class).isNotInstanceOf(KmsUnavailableException.class)
                    .hasMessageContaining("HTTP 403").hasMessageContaining("token");
            assertThat(e.getMessage()).doesNotContain("hvs.not-the-token-987");
            assertThat(((KmsException) e).isTransient()).isFalse();
        }
    }

    @Test
    void serverErrorsThrottlingAndStandbyAreTransient() {
        kms.createKey("k");
        for (final int status : new int[] {500, 502, 503, 429, 412}) {
            server.failNext(status, "{\"errors\":[\"Vault is sealed\"]}");
            final Throwable e = catchThrown(() -> kms.generateDataKey("other-" + status));
            assertThat(e).as("HTTP %d", status).isInstanceOf(KmsUnavailableException.class)
                    .hasMessageContaining("HTTP " + status);
            assertClean(e);
        }
    }

    @Test
    void connectionFailuresAreTransient() throws IOException {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        final VaultTransitConfig closed = new VaultTransitConfig(URI.create("http://127.0.0.1:" + port), "transit", null,
                Duration.ofSeconds(1), Duration.ofSeconds(2), VaultToken.of(FakeTransitServer.TOKEN));
        try (VaultTransitKms down = VaultTransitKms.open(closed)) {
            final Throwable e = catchThrown(() -> down.describeKey("k"));
            assertThat(e).isInstanceOf(KmsUnavailableException.class).hasMessageContaining("unreachable");
            assertClean(e);
        }
    }

    @Test
    void unknownKeysAreNotFoundAndRejectedCiphertextNamesTheDekId() {
        assertThatThrownBy(() -> kms.describeKey("nope")).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> kms.rotateKey("nope")).isInstanceOf(KeyNotFoundException.class);
        kms.createKey("k");
        try (DataKey key = kms.generateDataKey("k")) {
            server.failNext(400, "{\"errors\":[\"cipher: message authentication failed\"]}");
            final Throwable e = catchThrown(() -> kms.unwrap(key.wrapped()));
            assertThat(e).isInstanceOf(KeyUnwrapException.class).hasMessageContaining(key.dekId())
                    .hasMessageContaining("message authentication failed");
            server.failNext(404, "{\"errors\":[]}");
            assertThatThrownBy(() -> kms.unwrap(key.wrapped())).isInstanceOf(KeyNotFoundException.class);
        }
    }

    @Test
    void theKekRefVersionMustBeTheCiphertextsVersion() {
        kms.createKey("k");
        try (DataKey key = kms.generateDataKey("k")) {
            assertThat(new String(key.wrapped().ciphertext(), StandardCharsets.US_ASCII)).startsWith("vault:v1:");
            assertThat(key.kek()).isEqualTo(new KekRef("vault-transit", "k", "1"));
            kms.rotateKey("k");
            final int calls = server.paths.size();
            final WrappedDataKey relabelled = new WrappedDataKey(key.dekId(), new KekRef("vault-transit", "k", "2"),
                    key.wrapped().ciphertext());
            assertThatThrownBy(() -> kms.unwrap(relabelled)).isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining("key version 1, not 2");
            assertThat(server.paths).hasSize(calls).as("refused before any call");
            final WrappedDataKey rewrapped = kms.rewrap(key.wrapped());
            assertThat(rewrapped.kek().version()).isEqualTo("2");
            assertThat(new String(rewrapped.ciphertext(), StandardCharsets.US_ASCII)).startsWith("vault:v2:");
            assertThat(server.paths).contains("POST rewrap/k");
        }
    }

    @Test
    void datakeyAndDecryptSendTheDerivationContextOfTheDekId() {
        kms.createKey("k");
        assertThat(server.paths).contains("POST keys/k");
        try (DataKey key = kms.generateDataKey("k")) {
            final io.sealstream.kms.KeyScope none = io.sealstream.kms.KeyScope.UNSCOPED;
            assertThat(VaultTransitKms.context("k", key.dekId(), none))
                    .isNotEqualTo(VaultTransitKms.context("k", io.sealstream.kms.DekIds.newDekId(), none))
                    .isNotEqualTo(VaultTransitKms.context("k2", key.dekId(), none))
                    .isNotEqualTo(VaultTransitKms.context("k", key.dekId(), io.sealstream.kms.KeyScope.of("acme", "b")));
            // A wrapped key moved to another DEK id fails in the (fake) Vault: the derived key differs.
            final WrappedDataKey moved = new WrappedDataKey(io.sealstream.kms.DekIds.newDekId(), key.kek(),
                    key.wrapped().ciphertext());
            assertThatThrownBy(() -> kms.unwrap(moved)).isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining(moved.dekId());
        }
    }

    @Test
    void keysWithoutDerivationOrOfAnotherTypeAreRefused() {
        server.createKey("plain", "aes256-gcm96", false);
        server.createKey("chacha", "chacha20-poly1305", true);
        assertThatThrownBy(() -> kms.generateDataKey("plain")).isInstanceOf(KmsException.class)
                .hasMessageContaining("derived=true");
        assertThatThrownBy(() -> kms.generateDataKey("chacha")).isInstanceOf(KmsException.class)
                .hasMessageContaining("chacha20-poly1305");
        assertThatThrownBy(() -> kms.createKey("plain")).hasMessageContaining("already exists");
    }

    @Test
    void versionsAreDestroyedOldestFirstAndReallyTrimmed() {
        kms.createKey("k");
        try (DataKey v1 = kms.generateDataKey("k")) {
            kms.rotateKey("k");
            kms.rotateKey("k");
            assertThat(kms.describeKey("k").versions()).containsExactly("1", "2", "3");
            assertThatThrownBy(() -> kms.destroyKeyVersion("k", "3")).hasMessageContaining("current version");
            assertThatThrownBy(() -> kms.destroyKeyVersion("k", "2")).isInstanceOf(KmsException.class)
                    .hasMessageContaining("oldest first").hasMessageContaining("versions 1 of KEK 'k'");
            assertThatThrownBy(() -> kms.destroyKeyVersion("k", "4")).isInstanceOf(KeyNotFoundException.class);
            kms.destroyKeyVersion("k", "1");
            assertThat(server.paths).contains("POST keys/k/config", "POST keys/k/trim");
            kms.destroyKeyVersion("k", "1");
            kms.destroyKeyVersion("k", "2");
            assertThat(kms.describeKey("k").versions()).containsExactly("3");
            assertThatThrownBy(() -> kms.unwrap(v1.wrapped())).isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining("too old");
            kms.rotateKey("k");
            assertThat(kms.describeKey("k").versions()).containsExactly("3", "4");
        }
    }

    @Test
    void listAndDestroy() {
        assertThat(kms.listKeys()).isEmpty();
        kms.createKey("a");
        kms.createKey("b");
        assertThat(kms.listKeys()).extracting(d -> d.keyId()).containsExactly("a", "b");
        kms.destroyKey("a");
        assertThat(kms.listKeys()).extracting(d -> d.keyId()).containsExactly("b");
        assertThatThrownBy(() -> kms.destroyKey("a")).isInstanceOf(KeyNotFoundException.class);
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void configFromPropertiesAndTokenSources(@TempDir final Path dir) throws IOException {
        final VaultTransitConfig fromEnv = VaultTransitConfig.fromProperties(Map.of(),
                Map.of("VAULT_ADDR", "https://vault.example:8200/", "VAULT_TOKEN", "hvs.env-token"));
        assertThat(fromEnv.address()).isEqualTo(URI.create("https://vault.example:8200"));
        assertThat(fromEnv.mount()).isEqualTo("transit");
        assertThat(fromEnv.namespace()).isNull();
        assertThat(fromEnv.token().value()).isEqualTo("hvs.env-token");
        assertThat(fromEnv.toString()).doesNotContain("hvs.env-token");

        final Path file = dir.resolve("token");
        Files.writeString(file, "hvs.file-token\n");
        final VaultTransitConfig set = VaultTransitConfig.fromProperties(Map.of(
                "sealstream.kms.vault-transit.address", "http://127.0.0.1:8200",
                "sealstream.kms.vault-transit.mount", "/team/transit/",
                "sealstream.kms.vault-transit.namespace", "admin/team",
                "sealstream.kms.vault-transit.connect-timeout", "1s",
                "sealstream.kms.vault-transit.request-timeout", "PT3S"),
                Map.of("SEALSTREAM_VAULT_TOKEN_FILE", file.toString()));
        assertThat(set.mount()).isEqualTo("team/transit");
        assertThat(set.namespace()).isEqualTo("admin/team");
        assertThat(set.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(set.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(set.token().value()).isEqualTo("hvs.file-token");
        assertThat(set.toString()).doesNotContain("hvs.file-token");

        // A renewed token file (Vault Agent sink) is picked up.
        Files.writeString(file, "hvs.renewed-token\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(set.token().value()).isEqualTo("hvs.renewed-token");

        assertThatThrownBy(() -> VaultTransitConfig.fromProperties(Map.of("sealstream.kms.vault-transit.address",
                "http://v:8200"), Map.of())).hasMessageContaining("VAULT_TOKEN").hasMessageContaining("SEALSTREAM_VAULT_TOKEN_FILE");
        assertThatThrownBy(() -> VaultTransitConfig.fromProperties(Map.of(), Map.of("VAULT_TOKEN", "x")))
                .hasMessageContaining("address");
        assertThatThrownBy(() -> VaultTransitConfig.fromProperties(Map.of("sealstream.kms.vault-transit.address",
                "http://v:8200", "sealstream.kms.vault-transit.mount", "a/../b"), Map.of("VAULT_TOKEN", "x")))
                .hasMessageContaining("mount");
        final Throwable missingFile = catchThrown(() -> VaultTransitConfig.fromProperties(
                Map.of("sealstream.kms.vault-transit.address", "http://v:8200"),
                Map.of("SEALSTREAM_VAULT_TOKEN_FILE", dir.resolve("missing").toString())));
        assertThat(missingFile).isInstanceOf(KmsException.class).hasMessageContaining("SEALSTREAM_VAULT_TOKEN_FILE");
    }

    @Test
    void failureMappingTable() {
        assertThat(VaultHttp.failure(503, "", "w", "s", null)).isInstanceOf(KmsUnavailableException.class);
        assertThat(VaultHttp.failure(404, "", "w", "s", "d")).isInstanceOf(KeyNotFoundException.class);
        assertThat(VaultHttp.failure(400, "encryption key not found", "w", "s", "d")).isInstanceOf(KeyNotFoundException.class);
        assertThat(VaultHttp.failure(400, "invalid ciphertext", "w", "s", "d")).isInstanceOf(KeyUnwrapException.class);
        assertThat(VaultHttp.failure(400, "invalid request", "w", "s", null)).isExactlyInstanceOf(KmsException.class);
        assertThat(VaultHttp.failure(403, "permission denied", "w", "s", "d")).isExactlyInstanceOf(KmsException.class);
        assertThat(List.of(401, 403, 400, 405).stream().map(s -> VaultHttp.failure(s, "", "w", "s", null).isTransient()))
                .containsOnly(false);
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
