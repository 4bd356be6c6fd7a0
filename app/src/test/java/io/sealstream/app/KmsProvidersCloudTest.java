package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KmsProviders} opens the aws-kms, vault-transit and customer providers from properties and environment. */
class KmsProvidersCloudTest {

    @Test
    void awsKmsAndVaultTransitOpenWithoutCallingTheirServers() {
        try (KeyManagementService aws = KmsProviders.open(Map.of("sealstream.kms.provider", "aws-kms",
                "sealstream.kms.aws-kms.endpoint", "http://127.0.0.1:9"), Map.of("AWS_REGION", "eu-west-1"))) {
            assertThat(aws.providerName()).isEqualTo("aws-kms");
        }
        try (KeyManagementService vault = KmsProviders.open(Map.of("sealstream.kms.provider", "vault-transit",
                "sealstream.kms.vault-transit.address", "http://127.0.0.1:9"), Map.of("VAULT_TOKEN", "hvs.t"))) {
            assertThat(vault.providerName()).isEqualTo("vault-transit");
            assertThat(vault.toString()).doesNotContain("hvs.t");
        }
        assertThatThrownBy(() -> KmsProviders.open(Map.of("sealstream.kms.provider", "vault-transit"), Map.of()))
                .hasMessageContaining("sealstream.kms.vault-transit.address");
    }

    @Test
    void customerKeysLoadFromFiles(@TempDir final Path dir) throws Exception {
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.write(dir.resolve("t.key"), key);
        final byte[] fingerprintKey = new byte[32];
        new SecureRandom().nextBytes(fingerprintKey);
        try (KeyManagementService kms = KmsProviders.open(Map.of("sealstream.kms.provider", "customer",
                        "sealstream.kms.customer.keys.tenant-a.file", dir.resolve("t.key").toString()),
                Map.of("SEALSTREAM_CPK_FINGERPRINT_KEY", Base64.getEncoder().encodeToString(fingerprintKey)));
             DataKey dek = kms.generateDataKey("tenant-a")) {
            assertThat(dek.kek().provider()).isEqualTo("customer");
            assertThat(dek.kek().version()).startsWith("fp-");
        }
    }
}
