package io.sealstream.app;

import io.sealstream.kms.stack.KmsConfigKeys;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import java.util.Map;

/**
 * Opens the KMS provider named by {@code sealstream.kms.provider} (default {@code local}): whichever provider module
 * on the class path registered a {@link KmsProviderFactory} under that name (ServiceLoader). The providers and their
 * settings: docs/kms/. Secrets (passphrases, PINs, tokens) come from {@code environment}, never the properties file.
 */
public final class KmsProviders {

    public static final String DEFAULT_KEYSTORE = io.sealstream.kms.local.LocalKeyStoreKmsFactory.DEFAULT_KEYSTORE;

    private KmsProviders() {
    }

    public static KeyManagementService open(final Map<String, String> config, final Map<String, String> environment) {
        return KmsProviderFactory.openConfigured(config, environment);
    }

    /** The data-key cache limits: {@code sealstream.kms.cache.max-age|max-objects|max-bytes}. */
    public static DataKeyCacheConfig cacheConfig(final Map<String, String> config) {
        final DataKeyCacheConfig d = DataKeyCacheConfig.defaults();
        return new DataKeyCacheConfig(
                KmsConfigKeys.CACHE_MAX_AGE.get(config),
                KmsConfigKeys.CACHE_MAX_OBJECTS.get(config),
                KmsConfigKeys.CACHE_MAX_BYTES.get(config),
                d.maxUnwrapEntries(), d.unwrapMaxAge());
    }
}
