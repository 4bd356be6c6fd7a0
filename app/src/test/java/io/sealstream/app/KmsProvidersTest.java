package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.hadoop.HadoopKms;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which provider sealstream.kms.provider opens, and the one-line errors of the real ones' settings. */
class KmsProvidersTest {

    @Test
    void anUnknownProviderListsTheAvailableOnes() {
        assertThatThrownBy(() -> KmsProviders.open(Map.of("sealstream.kms.provider", "vault"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealstream.kms.provider: unknown provider 'vault'; available: aws-kms, customer, hadoop-kms, local, pkcs11, vault-transit (docs/kms/)");
    }

    @Test
    void hadoopKmsOpensFromItsProperties() {
        try (KeyManagementService kms = KmsProviders.open(Map.of("sealstream.kms.provider", "hadoop-kms",
                "sealstream.kms.hadoop-kms.url", "http://127.0.0.1:9600", "sealstream.kms.hadoop-kms.user", "app"), Map.of())) {
            assertThat(kms).isInstanceOf(HadoopKms.class);
            assertThat(kms.providerName()).isEqualTo("hadoop-kms");
        }
        assertThatThrownBy(() -> KmsProviders.open(Map.of("sealstream.kms.provider", "hadoop-kms"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sealstream.kms.hadoop-kms.url");
    }

    @Test
    void pkcs11NeedsALibraryAndAPinFromTheEnvironment() {
        assertThatThrownBy(() -> KmsProviders.open(Map.of("sealstream.kms.provider", "pkcs11"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sealstream.kms.pkcs11.library");
        final Map<String, String> settings = Map.of("sealstream.kms.provider", "pkcs11",
                "sealstream.kms.pkcs11.library", "/nonexistent/libpkcs11.so");
        assertThatThrownBy(() -> KmsProviders.open(settings, Map.of()))
                .isInstanceOf(KmsException.class).hasMessageContaining("SEALSTREAM_PKCS11_PIN");
        assertThatThrownBy(() -> KmsProviders.open(settings, Map.of("SEALSTREAM_PKCS11_PIN", "4321")))
                .isInstanceOf(KmsException.class).hasMessage("PKCS#11 library /nonexistent/libpkcs11.so not found");
    }
}
