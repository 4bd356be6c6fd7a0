package io.sealstream.kms.hadoop;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.util.Map;

/** The {@code hadoop-kms} provider for {@link KmsProviderFactory}: an Apache Hadoop KMS server ({@code sealstream.kms.hadoop-kms.*}; docs/kms/hadoop-kms.md). */
public final class HadoopKmsFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return HadoopKms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        return HadoopKmsConfig.fromProperties(settings, environment).open();
    }
}
