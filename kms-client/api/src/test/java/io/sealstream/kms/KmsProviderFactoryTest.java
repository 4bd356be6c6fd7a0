package io.sealstream.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Providers are found by name through ServiceLoader: a provider registered by a module (here a fake one in this
 * module's tests, nowhere else) opens with no switch or list to change anywhere.
 */
class KmsProviderFactoryTest {

    @Test
    void aProviderRegisteredInItsOwnModuleOpensByName() {
        assertThat(KmsProviderFactory.available()).contains("fake");
        try (KeyManagementService kms = KmsProviderFactory.openConfigured(Map.of("sealstream.kms.provider", "fake",
                "sealstream.kms.fake.label", "from-settings"), Map.of())) {
            assertThat(kms.providerName()).isEqualTo("fake:from-settings");
            assertThat(kms.listKeys()).isEmpty();
        }
    }

    @Test
    void anUnknownProviderIsAOneLineErrorThatListsTheRegisteredOnes() {
        assertThatThrownBy(() -> KmsProviderFactory.openConfigured(Map.of("sealstream.kms.provider", "nope"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealstream.kms.provider: unknown provider 'nope'; available: fake (docs/kms/)");
    }

    @Test
    void withoutANameTheLocalProviderIsAskedFor() {
        assertThatThrownBy(() -> KmsProviderFactory.openConfigured(Map.of(), Map.of()))
                .hasMessageContaining("unknown provider 'local'");
    }
}
