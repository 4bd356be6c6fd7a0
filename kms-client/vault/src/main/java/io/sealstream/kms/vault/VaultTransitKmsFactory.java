package io.sealstream.kms.vault;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.util.Map;

/** The {@code vault-transit} provider for {@link KmsProviderFactory}: HashiCorp Vault Transit ({@code sealstream.kms.vault-transit.*}; docs/kms/vault-transit.md). */
public final class VaultTransitKmsFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return VaultTransitKms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        return VaultTransitKms.open(VaultTransitConfig.fromProperties(settings, environment));
    }
}
