package io.sealstream.app;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.aws.AwsKms;
import io.sealstream.kms.aws.AwsKmsConfig;
import io.sealstream.kms.customer.CustomerKeyConfig;
import io.sealstream.kms.customer.CustomerKeyKms;
import io.sealstream.kms.vault.VaultTransitConfig;
import io.sealstream.kms.vault.VaultTransitKms;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import io.sealstream.kms.hadoop.HadoopKms;
import io.sealstream.kms.hadoop.HadoopKmsConfig;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.kms.pkcs11.Pkcs11Kms;
import io.sealstream.kms.pkcs11.Pkcs11KmsConfig;
import io.sealstream.config.ConfigValues;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the KMS provider named by {@code sealstream.kms.provider}. Providers: {@code local} (a PKCS#12 key store,
 * {@code sealstream.kms.local.keystore}, passphrase from {@code SEALSTREAM_KEYSTORE_PASSWORD} or
 * {@code SEALSTREAM_KEYSTORE_PASSWORD_FILE}; never from the properties file); {@code pkcs11} (KEKs in an HSM token,
 * {@code sealstream.kms.pkcs11.*}, PIN from {@code SEALSTREAM_PKCS11_PIN} or {@code SEALSTREAM_PKCS11_PIN_FILE}; see
 * docs/kms/pkcs11.md); {@code hadoop-kms} (an Apache Hadoop KMS server, {@code sealstream.kms.hadoop-kms.*}; see
 * docs/kms/hadoop-kms.md); {@code aws-kms}, {@code vault-transit} and {@code customer} (customer-provided keys): see
 * docs/kms/.
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
        if (provider.equals(Pkcs11Kms.PROVIDER)) {
            return Pkcs11KmsConfig.fromProperties(config, environment).open();
        }
        if (provider.equals(HadoopKms.PROVIDER)) {
            return HadoopKmsConfig.fromProperties(config, environment).open();
        }
        if (provider.equals(AwsKms.PROVIDER)) {
            return AwsKms.open(AwsKmsConfig.fromProperties(config, environment));
        }
        if (provider.equals(VaultTransitKms.PROVIDER)) {
            return VaultTransitKms.open(VaultTransitConfig.fromProperties(config, environment));
        }
        if (provider.equals(CustomerKeyKms.PROVIDER)) {
            return CustomerKeyKms.open(CustomerKeyConfig.fromProperties(config, environment));
        }
        throw new IllegalArgumentException("sealstream.kms.provider: unknown provider '" + provider + "'; available: "
                + String.join(", ", LocalKeyStoreKms.PROVIDER, Pkcs11Kms.PROVIDER, HadoopKms.PROVIDER, AwsKms.PROVIDER,
                VaultTransitKms.PROVIDER, CustomerKeyKms.PROVIDER) + " (docs/kms/)");
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
