package io.sealstream.app;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.config.ConfigValues;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the KMS provider named by {@code sealstream.kms.provider}. Providers: {@code local} (a PKCS#12 key store,
 * {@code sealstream.kms.local.keystore}, passphrase from {@code SEALSTREAM_KEYSTORE_PASSWORD} or
 * {@code SEALSTREAM_KEYSTORE_PASSWORD_FILE}; never from the properties file).
 */
public final class KmsProviders {

    public static final String DEFAULT_KEYSTORE = "data/keys.p12";

    private KmsProviders() {
    }

    public static KeyManagementService open(final Map<String, String> config, final Map<String, String> environment) {
        final String provider = ConfigValues.string(config, "sealstream.kms.provider", LocalKeyStoreKms.PROVIDER);
        if (provider.equals(LocalKeyStoreKms.PROVIDER)) {
            final Path keystore = Path.of(ConfigValues.string(config, "sealstream.kms.local.keystore", DEFAULT_KEYSTORE));
            return LocalKeyStoreKms.openFromEnvironment(keystore, environment);
        }
        if (provider.equals("aws-kms")) return io.sealstream.kms.aws.AwsKms.open(io.sealstream.kms.aws.AwsKmsConfig.fromProperties(config, environment)); // docs/kms/aws-kms.md
        if (provider.equals("vault-transit")) return io.sealstream.kms.vault.VaultTransitKms.open(io.sealstream.kms.vault.VaultTransitConfig.fromProperties(config, environment)); // docs/kms/vault-transit.md
        if (provider.equals("customer")) return io.sealstream.kms.customer.CustomerKeyKms.open(io.sealstream.kms.customer.CustomerKeyConfig.fromProperties(config, environment)); // docs/kms/customer-keys.md
        throw new IllegalArgumentException("sealstream.kms.provider: unknown provider '" + provider + "'; available: "
                + LocalKeyStoreKms.PROVIDER);
    }

    /** The data-key cache limits: {@code sealstream.kms.cache.max-age|max-objects|max-bytes}. */
    public static DataKeyCacheConfig cacheConfig(final Map<String, String> config) {
        final DataKeyCacheConfig d = DataKeyCacheConfig.defaults();
        return new DataKeyCacheConfig(
                ConfigValues.duration(config, "sealstream.kms.cache.max-age", d.maxAge()),
                Long.parseLong(ConfigValues.string(config, "sealstream.kms.cache.max-objects",
                        Long.toString(d.maxObjectsPerKey()))),
                ConfigValues.size(config, "sealstream.kms.cache.max-bytes", d.maxBytesPerKey()),
                d.maxUnwrapEntries(), d.unwrapMaxAge());
    }
}
