package io.sealstream.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The application's settings: one properties file (Kafka Streams keys, Confluent serde keys and {@code sealstream.*}
 * keys side by side), then the environment on top.
 *
 * <p>Environment overrides, strongest last:
 * <ul>
 *   <li>the local stack's variables ({@code stack.env}): {@code KAFKA_BOOTSTRAP_SERVERS} → {@code bootstrap.servers},
 *       {@code SCHEMA_REGISTRY_URL} → {@code schema.registry.url}, {@code S3_ENDPOINT} → {@code sealstream.store.s3.endpoint}
 *       (and {@code sealstream.store.type=s3}), {@code S3_ACCESS_KEY}, {@code S3_SECRET_KEY}, {@code S3_BUCKET} →
 *       {@code sealstream.store.bucket};</li>
 *   <li>{@code SEALSTREAM_CONFIG_<NAME>} for any key: upper case, {@code .} written {@code _}, {@code -} written
 *       {@code __}; e.g. {@code SEALSTREAM_CONFIG_NUM_STREAM_THREADS=4} sets {@code num.stream.threads}.</li>
 * </ul>
 */
public final class SealstreamConfig {

    public static final String ENV_PREFIX = "SEALSTREAM_CONFIG_";
    private static final Pattern SECRET_KEY = Pattern.compile(".*(secret|password|passphrase|credential|user\\.info|sasl\\.jaas).*",
            Pattern.CASE_INSENSITIVE);

    private SealstreamConfig() {
    }

    public static Map<String, String> load(final Path file, final Map<String, String> environment) throws IOException {
        final Map<String, String> config = new TreeMap<>();
        if (file != null) {
            final Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k).trim()));
        }
        applyEnvironment(config, environment);
        return config;
    }

    static void applyEnvironment(final Map<String, String> config, final Map<String, String> env) {
        copy(env, "KAFKA_BOOTSTRAP_SERVERS", config, "bootstrap.servers");
        copy(env, "SCHEMA_REGISTRY_URL", config, "schema.registry.url");
        if (copy(env, "S3_ENDPOINT", config, "sealstream.store.s3.endpoint")) {
            config.put("sealstream.store.type", "s3");
        }
        copy(env, "S3_ACCESS_KEY", config, "sealstream.store.s3.access-key");
        copy(env, "S3_SECRET_KEY", config, "sealstream.store.s3.secret-key");
        copy(env, "S3_BUCKET", config, "sealstream.store.bucket");
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length()) {
                config.put(keyOf(e.getKey().substring(ENV_PREFIX.length())), e.getValue());
            }
        }
    }

    /** {@code NUM_STREAM_THREADS} → {@code num.stream.threads}; {@code S3_ACCESS__KEY} → {@code s3.access-key}. */
    static String keyOf(final String envName) {
        return envName.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
    }

    private static boolean copy(final Map<String, String> env, final String name, final Map<String, String> config,
                                final String key) {
        final String v = env.get(name);
        if (v == null || v.isBlank()) {
            return false;
        }
        config.put(key, v.trim());
        return true;
    }

    /** Whether a setting holds a secret and must never be printed. */
    public static boolean isSecret(final String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** The settings as safe to log: secrets replaced by {@code [hidden]}. */
    public static Map<String, String> redacted(final Map<String, String> config) {
        final Map<String, String> out = new TreeMap<>();
        config.forEach((k, v) -> out.put(k, isSecret(k) ? "[hidden]" : v));
        return out;
    }
}
