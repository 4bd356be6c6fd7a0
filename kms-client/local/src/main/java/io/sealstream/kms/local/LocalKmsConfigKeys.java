package io.sealstream.kms.local;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.nio.file.Path;
import java.util.List;

/** The {@code local} provider's settings, declared once; read by {@link LocalKeyStoreKmsFactory}. */
public final class LocalKmsConfigKeys implements ConfigKeySet {

    public static final ConfigKey<Path> KEYSTORE = ConfigKey.path(LocalKeyStoreKmsFactory.KEYSTORE_KEY,
            Path.of(LocalKeyStoreKmsFactory.DEFAULT_KEYSTORE), "The PKCS#12 key store holding the KEKs.");

    @Override
    public String title() {
        return "KMS provider: local";
    }

    @Override
    public String module() {
        return "sealstream-kms-local";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=local` (the default). The key store's passphrase comes from `"
                + LocalKeyStoreKms.PASSPHRASE_ENV + "` or the file named by `" + LocalKeyStoreKms.PASSPHRASE_FILE_ENV
                + "`, never from the configuration.";
    }

    @Override
    public int order() {
        return 41;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(KEYSTORE);
    }
}
