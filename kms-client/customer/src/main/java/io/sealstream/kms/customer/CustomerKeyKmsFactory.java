package io.sealstream.kms.customer;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.util.Map;

/** The {@code customer} provider for {@link KmsProviderFactory}: customer-provided keys ({@code sealstream.kms.customer.*}; docs/kms/customer-keys.md). */
public final class CustomerKeyKmsFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return CustomerKeyKms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        return CustomerKeyKms.open(CustomerKeyConfig.fromProperties(settings, environment));
    }
}
