package io.sealstream.kms.stack;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import io.sealstream.kms.KmsProviderFactory;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import java.time.Duration;
import java.util.List;

/**
 * The KMS client's settings, declared once: which provider ({@link KmsProviderFactory#PROVIDER_KEY}) and the data-key
 * cache's limits ({@link DataKeyCacheConfig}). Each provider module declares its own {@code sealstream.kms.<name>.*}
 * settings in a set of its own.
 */
public final class KmsConfigKeys implements ConfigKeySet {

    public static final ConfigKey<String> PROVIDER = ConfigKey.string(KmsProviderFactory.PROVIDER_KEY,
            KmsProviderFactory.DEFAULT_PROVIDER,
            "The KMS provider, by the name its module registers: `local` (a PKCS#12 key store), `pkcs11`, "
                    + "`hadoop-kms`, `aws-kms`, `vault-transit` or `customer`; one page each in docs/kms/.");

    public static final ConfigKey<Duration> CACHE_MAX_AGE = ConfigKey.duration("sealstream.kms.cache.max-age",
            DataKeyCacheConfig.DEFAULT_MAX_AGE,
            "How long one cached data key encrypts new objects: bounds what one leaked data key exposes, at one KMS "
                    + "call per KEK per period.").positive();

    public static final ConfigKey<Long> CACHE_MAX_OBJECTS = ConfigKey.longInteger("sealstream.kms.cache.max-objects",
            DataKeyCacheConfig.DEFAULT_MAX_OBJECTS_PER_KEY, 1, Long.MAX_VALUE,
            "How many objects one cached data key encrypts before a new one is made.");

    public static final ConfigKey<Long> CACHE_MAX_BYTES = ConfigKey.size("sealstream.kms.cache.max-bytes",
            DataKeyCacheConfig.DEFAULT_MAX_BYTES_PER_KEY,
            "How many plaintext bytes one cached data key encrypts before a new one is made.").positive();

    @Override
    public String title() {
        return "KMS";
    }

    @Override
    public String module() {
        return "sealstream-kms-stack";
    }

    @Override
    public String description() {
        return "Secrets (passphrases, PINs, tokens) never come from the configuration: each provider reads its own "
                + "from the environment.";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(PROVIDER, CACHE_MAX_AGE, CACHE_MAX_OBJECTS, CACHE_MAX_BYTES);
    }
}
