package io.sealstream.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * Kafka's configuration providers (KIP-297) over every setting, sealstream's included: with
 * <pre>
 *   config.providers=secrets
 *   config.providers.secrets.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
 *   sealstream.store.s3.secret-key=${secrets:/run/secrets:s3-secret-key}
 * </pre>
 * the value is read from {@code /run/secrets/s3-secret-key} at start. Kafka's {@code FileConfigProvider}
 * ({@code ${file:/path/file.properties:key}}), {@code DirectoryConfigProvider} and {@code EnvVarConfigProvider}
 * ({@code ${env:NAME}}) come with Kafka; any other {@link ConfigProvider} on the class path works too. The values are
 * resolved once, here, and the {@code config.providers*} keys dropped, so Kafka's clients receive plain values and no
 * provider runs twice.
 *
 * <p>When the JVM sets {@code org.apache.kafka.automatic.config.providers} (Kafka's allow-list of provider classes),
 * only the classes it lists may be used, as in Kafka's own clients.
 */
final class ConfigProviders {

    static final String PROVIDERS = "config.providers";
    static final String ALLOWED_PROPERTY = "org.apache.kafka.automatic.config.providers";

    private ConfigProviders() {
    }

    /** {@code config} with every {@code ${provider:path:key}} resolved; unchanged without {@code config.providers}. */
    static Map<String, String> resolve(final Map<String, String> config) {
        final String names = config.get(PROVIDERS);
        if (names == null || names.isBlank()) {
            return config;
        }
        final Map<String, ConfigProvider> providers = new HashMap<>();
        final List<ConfigProvider> opened = new ArrayList<>();
        try {
            for (final String raw : names.split(",")) {
                final String name = raw.trim();
                if (name.isEmpty()) {
                    continue;
                }
                final ConfigProvider provider = open(name, config);
                opened.add(provider);
                providers.put(name, provider);
            }
            final Map<String, String> resolved = new TreeMap<>(new ConfigTransformer(providers).transform(config).data());
            resolved.keySet().removeIf(k -> k.equals(PROVIDERS) || k.startsWith(PROVIDERS + "."));
            // Kafka leaves a reference it could not resolve (a missing file or key) as it was: that text would become
            // a password. Refuse it here, naming the setting (never its value).
            resolved.forEach((key, value) -> providers.keySet().forEach(name -> {
                if (value != null && value.contains("${" + name + ":")) {
                    throw new IllegalArgumentException(key + ": its ${" + name + ":...} reference did not resolve "
                            + "(a missing file or key?)");
                }
            }));
            return resolved;
        } finally {
            for (final ConfigProvider p : opened) {
                try {
                    p.close();
                } catch (final Exception e) {
                    // a provider that fails to close has already given its values
                }
            }
        }
    }

    private static ConfigProvider open(final String name, final Map<String, String> config) {
        final String classKey = PROVIDERS + "." + name + ".class";
        final String className = config.get(classKey);
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException(PROVIDERS + " names '" + name + "' but " + classKey + " is not set");
        }
        final String allowed = System.getProperty(ALLOWED_PROPERTY);
        if (allowed != null && !Set.of(allowed.split("\\s*,\\s*")).contains(className.trim())) {
            throw new IllegalArgumentException(classKey + "=" + className.trim() + " is not allowed by the system property "
                    + ALLOWED_PROPERTY);
        }
        final ConfigProvider provider;
        try {
            final Object instance = Class.forName(className.trim()).getDeclaredConstructor().newInstance();
            if (!(instance instanceof ConfigProvider p)) {
                throw new IllegalArgumentException(classKey + "=" + className.trim() + " is not a Kafka ConfigProvider");
            }
            provider = p;
        } catch (final ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException(classKey + ": cannot create " + className.trim() + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        final String paramPrefix = PROVIDERS + "." + name + ".param.";
        final Map<String, Object> params = new HashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(paramPrefix)) {
                params.put(k.substring(paramPrefix.length()), v);
            }
        });
        provider.configure(params);
        return provider;
    }
}
