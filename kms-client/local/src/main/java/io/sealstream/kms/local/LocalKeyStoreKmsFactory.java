package io.sealstream.kms.local;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.nio.file.Path;
import java.util.Map;

/** The {@code local} provider for {@link KmsProviderFactory}: a PKCS#12 key store ({@code sealstream.kms.local.keystore}, default {@code data/keys.p12}), passphrase from {@code SEALSTREAM_KEYSTORE_PASSWORD} or {@code SEALSTREAM_KEYSTORE_PASSWORD_FILE}, never from the settings. */
public final class LocalKeyStoreKmsFactory implements KmsProviderFactory {

    public static final String KEYSTORE_KEY = "sealstream.kms.local.keystore";
    public static final String DEFAULT_KEYSTORE = "data/keys.p12";

    @Override
    public String name() {
        return LocalKeyStoreKms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        final String keystore = settings.get(KEYSTORE_KEY);
        return LocalKeyStoreKms.openFromEnvironment(Path.of(keystore == null || keystore.isBlank() ? DEFAULT_KEYSTORE
                : keystore.trim()), environment);
    }
}
