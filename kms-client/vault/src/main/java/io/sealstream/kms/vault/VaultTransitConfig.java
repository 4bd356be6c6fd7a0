package io.sealstream.kms.vault;

import io.sealstream.kms.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the {@code vault-transit} provider. The token never comes from the properties file: see
 * {@link VaultToken#fromEnvironment}.
 *
 * @param address        Vault's address, e.g. {@code https://vault.example:8200} (TLS trust: the JVM's trust store)
 * @param mount          path of the Transit secrets engine, default {@value #DEFAULT_MOUNT}
 * @param namespace      Vault Enterprise / HCP namespace sent as {@code X-Vault-Namespace}, or null
 * @param connectTimeout TCP/TLS connect timeout
 * @param requestTimeout limit of one HTTP request
 * @param token          the token, shown redacted by {@link #toString()}
 */
public record VaultTransitConfig(URI address, String mount, String namespace, Duration connectTimeout,
                                 Duration requestTimeout, VaultToken token) {

    public static final String PREFIX = "sealstream.kms.vault-transit.";
    public static final String DEFAULT_MOUNT = "transit";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._/-]{1,256}");

    public VaultTransitConfig {
        Objects.requireNonNull(address, "address");
        if (address.getScheme() == null || !(address.getScheme().equals("http") || address.getScheme().equals("https"))
                || address.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "address must be an http(s) URL such as https://vault:8200");
        }
        Objects.requireNonNull(mount, "mount");
        if (!MOUNT.matcher(mount).matches() || mount.contains("..")) {
            throw new IllegalArgumentException(PREFIX + "mount must be a path such as transit or team/transit");
        }
        if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException(PREFIX + "namespace contains characters Vault does not allow");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(token, "token");
    }

    /** Defaults for the given address and token. */
    public static VaultTransitConfig of(final URI address, final VaultToken token) {
        return new VaultTransitConfig(address, DEFAULT_MOUNT, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, token);
    }

    /**
     * From {@code sealstream.kms.vault-transit.address} (else environment {@code VAULT_ADDR}), {@code .mount},
     * {@code .namespace} (else {@code VAULT_NAMESPACE}), {@code .connect-timeout}, {@code .request-timeout}; the token
     * from {@code VAULT_TOKEN} or the file named by {@code SEALSTREAM_VAULT_TOKEN_FILE}.
     */
    public static VaultTransitConfig fromProperties(final Map<String, String> config, final Map<String, String> env) {
        final String address = ProviderSettings.string(config, PREFIX + "address", ProviderSettings.string(env, "VAULT_ADDR", null));
        if (address == null) {
            throw new IllegalArgumentException(PREFIX + "address is required (or set VAULT_ADDR)");
        }
        final URI uri;
        try {
            uri = URI.create(address.endsWith("/") ? address.substring(0, address.length() - 1) : address);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "address is not a URL");
        }
        String mount = ProviderSettings.string(config, PREFIX + "mount", DEFAULT_MOUNT);
        while (mount.startsWith("/")) {
            mount = mount.substring(1);
        }
        while (mount.endsWith("/")) {
            mount = mount.substring(0, mount.length() - 1);
        }
        return new VaultTransitConfig(uri, mount,
                ProviderSettings.string(config, PREFIX + "namespace", ProviderSettings.string(env, "VAULT_NAMESPACE", null)),
                ProviderSettings.duration(config, PREFIX + "connect-timeout", DEFAULT_CONNECT_TIMEOUT),
                ProviderSettings.duration(config, PREFIX + "request-timeout", DEFAULT_REQUEST_TIMEOUT),
                VaultToken.fromEnvironment(env));
    }

    public VaultTransitConfig withMount(final String value) {
        return new VaultTransitConfig(address, value, namespace, connectTimeout, requestTimeout, token);
    }

    public VaultTransitConfig withNamespace(final String value) {
        return new VaultTransitConfig(address, mount, value, connectTimeout, requestTimeout, token);
    }
}
