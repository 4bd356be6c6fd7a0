package io.sealstream.kms.aws;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.util.Map;

/** The {@code aws-kms} provider for {@link KmsProviderFactory}: AWS KMS ({@code sealstream.kms.aws-kms.*}; docs/kms/aws-kms.md). */
public final class AwsKmsFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return AwsKms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        return AwsKms.open(AwsKmsConfig.fromProperties(settings, environment));
    }
}
