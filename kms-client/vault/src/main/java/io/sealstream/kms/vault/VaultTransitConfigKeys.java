package io.sealstream.kms.vault;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The {@code vault-transit} provider's settings ({@value VaultTransitConfig#PREFIX}*), declared once; read by
 * {@link VaultTransitConfig}.
 */
public final class VaultTransitConfigKeys implements ConfigKeySet {

    private static final String P = VaultTransitConfig.PREFIX;

    public static final ConfigKey<URI> ADDRESS = ConfigKey.url(P + "address",
                    "Vault's address, e.g. `https://vault.example:8200` (TLS trust: the JVM's trust store).")
            .withDefaultText("`VAULT_ADDR`; one is required");

    public static final ConfigKey<String> MOUNT = ConfigKey.string(P + "mount", VaultTransitConfig.DEFAULT_MOUNT,
            "Path of the Transit secrets engine, e.g. `transit` or `team/transit`.");

    public static final ConfigKey<String> NAMESPACE = ConfigKey.string(P + "namespace", null,
                    "Vault Enterprise / HCP namespace, sent as `X-Vault-Namespace`.")
            .withDefaultText("`VAULT_NAMESPACE`, else none");

    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.duration(P + "connect-timeout",
            VaultTransitConfig.DEFAULT_CONNECT_TIMEOUT, "TCP and TLS connect timeout.").positive();

    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.duration(P + "request-timeout",
            VaultTransitConfig.DEFAULT_REQUEST_TIMEOUT, "Limit of one HTTP request.").positive();

    @Override
    public String title() {
        return "KMS provider: vault-transit";
    }

    @Override
    public String module() {
        return "sealstream-kms-vault";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=vault-transit` (docs/kms/vault-transit.md). The token comes from `"
                + VaultToken.TOKEN_ENV + "` or the file named by `" + VaultToken.TOKEN_FILE_ENV
                + "`, never from the configuration.";
    }

    @Override
    public int order() {
        return 45;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(ADDRESS, MOUNT, NAMESPACE, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }
}
