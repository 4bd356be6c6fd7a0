package io.sealstream.kms.pkcs11;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@code pkcs11} provider's settings ({@value Pkcs11KmsConfig#PREFIX}*), declared once; read by {@link Pkcs11KmsConfig}. */
public final class Pkcs11KmsConfigKeys implements ConfigKeySet {

    private static final String P = Pkcs11KmsConfig.PREFIX;

    public static final ConfigKey<Path> CONFIG_FILE = ConfigKey.path(P + "config-file", null,
            "A SunPKCS11 configuration file of your own; then none of library, slot and slot-list-index.");

    public static final ConfigKey<Path> LIBRARY = ConfigKey.path(P + "library", null,
                    "Absolute path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`; the provider "
                            + "generates the SunPKCS11 configuration, with new KEKs sensitive and non-extractable.")
            .require(Path::isAbsolute, "an absolute path");

    public static final ConfigKey<Long> SLOT = ConfigKey.longInteger(P + "slot", null, 0, Long.MAX_VALUE,
            "The slot id, with library (or slot-list-index, not both). SunPKCS11 cannot select a token by label.");

    public static final ConfigKey<Integer> SLOT_LIST_INDEX = ConfigKey.integer(P + "slot-list-index", null, 0,
                    Integer.MAX_VALUE, "The index in the token's slot list, with library (or slot, not both).")
            .withDefaultText("`0` with library");

    public static final ConfigKey<Duration> REFRESH_INTERVAL = ConfigKey.duration(P + "refresh-interval",
            Pkcs11KmsConfig.DEFAULT_REFRESH_INTERVAL,
            "How long the list of KEK versions read from the token is trusted before making a data key re-reads it, "
                    + "to notice rotations made by other processes.").positive();

    @Override
    public String title() {
        return "KMS provider: pkcs11";
    }

    @Override
    public String module() {
        return "sealstream-kms-pkcs11";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=pkcs11` (docs/kms/pkcs11.md): set `library` or `config-file`. The user "
                + "PIN comes from `" + Pkcs11Kms.PIN_ENV + "` or the file named by `" + Pkcs11Kms.PIN_FILE_ENV
                + "`, never from the configuration (`" + P + "pin` is refused).";
    }

    @Override
    public int order() {
        return 42;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(LIBRARY, SLOT, SLOT_LIST_INDEX, CONFIG_FILE, REFRESH_INTERVAL);
    }
}
