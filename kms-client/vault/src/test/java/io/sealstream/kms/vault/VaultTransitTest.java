package io.sealstream.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.vault.VaultContainer;

/**
 * The provider contract against a real Vault (dev mode, root token, Transit enabled) in Docker; skipped, with the
 * reason, where there is no Docker. No hook is overridden: Transit supports rotation, server-side rewrap, destroying
 * the oldest versions and destroying keys.
 */
@Testcontainers(disabledWithoutDocker = true)
class VaultTransitTest extends KmsProviderContract {

    private static final String ROOT_TOKEN = "sealstream-test-root";

    @Container
    static final VaultContainer<?> VAULT = new VaultContainer<>(DockerImageName.parse("hashicorp/vault:1.17.6"))
            .withVaultToken(ROOT_TOKEN)
            .withInitCommand("secrets enable transit", "secrets enable -path=team/transit transit");

    private static VaultTransitConfig config() {
        return VaultTransitConfig.of(URI.create(VAULT.getHttpHostAddress()), VaultToken.of(ROOT_TOKEN));
    }

    @Override
    protected KeyManagementService createProvider() {
        return VaultTransitKms.open(config());
    }

    @Test
    void olderVersionsMustBeDestroyedFirst() {
        kms.rotateKey(keyId);
        kms.rotateKey(keyId);
        assertThatThrownBy(() -> kms.destroyKeyVersion(keyId, "2")).isInstanceOf(KmsException.class)
                .hasMessageContaining("oldest first").hasMessageContaining("versions 1");
        kms.destroyKeyVersion(keyId, "1");
        kms.destroyKeyVersion(keyId, "2");
        assertThat(kms.describeKey(keyId).versions()).containsExactly("3");
    }

    @Test
    void keysWithoutDerivationAreRefused() throws Exception {
        final var result = VAULT.execInContainer("vault", "write", "-f", "transit/keys/plain-" + keyId, "type=aes256-gcm96");
        assertThat(result.getExitCode()).as(result.getStderr()).isZero();
        assertThatThrownBy(() -> kms.generateDataKey("plain-" + keyId)).isInstanceOf(KmsException.class)
                .hasMessageContaining("derived=true");
    }

    @Test
    void aCustomMountWorks() {
        try (VaultTransitKms team = VaultTransitKms.open(config().withMount("team/transit"))) {
            team.createKey("k1");
            try (DataKey key = team.generateDataKey("k1"); DataKey back = team.unwrap(key.wrapped())) {
                assertThat(back.copyKeyBytes()).isEqualTo(key.copyKeyBytes());
            }
            assertThat(kms.listKeys()).extracting(d -> d.keyId()).doesNotContain("k1");
        }
    }
}
