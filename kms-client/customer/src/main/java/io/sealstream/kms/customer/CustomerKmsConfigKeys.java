package io.sealstream.kms.customer;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code customer} provider's settings ({@value CustomerKeyConfig#PREFIX}*), declared once: two families of keys,
 * one pair per customer key id; read by {@link CustomerKeyConfig}.
 */
public final class CustomerKmsConfigKeys implements ConfigKeySet {

    private static final String P = CustomerKeyConfig.PREFIX;

    public static final ConfigKey<Path> KEY_FILE = ConfigKey.path(P + "keys.<keyId>.file", null,
            "The current key of `<keyId>`: a file holding 32 raw bytes, or the key as base64 or hex text.");

    public static final ConfigKey<List<String>> PREVIOUS_FILES = ConfigKey.list(P + "keys.<keyId>.previous-files",
            "Older keys of the same id, comma-separated, oldest first: still needed to unwrap data keys wrapped under "
                    + "them. Needs the `.file` of the same id.");

    @Override
    public String title() {
        return "KMS provider: customer";
    }

    @Override
    public String module() {
        return "sealstream-kms-customer";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=customer` (docs/kms/customer-keys.md). The fingerprint key comes from `"
                + FingerprintKey.KEY_ENV + "` or the file named by `" + FingerprintKey.KEY_FILE_ENV
                + "`, never from the configuration.";
    }

    @Override
    public int order() {
        return 46;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(KEY_FILE, PREVIOUS_FILES);
    }
}
