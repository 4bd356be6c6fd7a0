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
 * keys side by side), then the environment on top. In the file, {@code ${config.dir}} stands for the file's own
 * directory, so relative paths can be written to work from any working directory.
 *
 * <p>Environment overrides, strongest last:
 * <ul>
 *   <li>the local stack's variables ({@code stack.env}): {@code KAFKA_BOOTSTRAP_SERVERS} → {@code bootstrap.servers},
 *       {@code SCHEMA_REGISTRY_URL} → {@code schema.registry.url}, {@code S3_ENDPOINT} → {@code sealstream.store.s3.endpoint}
 *       (and {@code sealstream.store.type=s3}), {@code S3_ACCESS_KEY}, {@code S3_SECRET_KEY}, {@code S3_BUCKET} →
 *       {@code sealstream.store.bucket}, {@code AWS_REGION} → {@code sealstream.store.s3.region} unless the file
 *       sets it;</li>
 *   <li>{@code SEALSTREAM_CONFIG_<NAME>} for any key: upper case, {@code .} written {@code _}, {@code -} written
 *       {@code __}; e.g. {@code SEALSTREAM_CONFIG_NUM_STREAM_THREADS=4} sets {@code num.stream.threads}.</li>
 * </ul>
 * Each of these variables also has a {@code _FILE} form naming a file that holds the value (a mounted secret; one
 * trailing newline is dropped): {@code S3_SECRET_KEY_FILE=/run/secrets/s3-secret},
 * {@code SEALSTREAM_CONFIG_SASL_JAAS_CONFIG_FILE=...}. Setting both forms of one variable is an error.
 *
 * <p>Last, Kafka's configuration providers ({@code config.providers}, {@code ${provider:path:key}}) resolve over
 * every value, sealstream's included ({@link ConfigProviders}).
 */
public final class SealstreamConfig {

    public static final String ENV_PREFIX = "SEALSTREAM_CONFIG_";
    /** In a value of the file: the file's own directory (absolute), e.g. {@code state.dir=${config.dir}/../data}. */
    public static final String CONFIG_DIR = "${config.dir}";
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(secret|password|passphrase|credential|token|user\\.info|sasl\\.jaas|ssl\\.keystore\\.key).*",
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
            // ${config.dir}: the file's own directory, so a file's paths work from any working directory.
            final String configDir = file.toAbsolutePath().normalize().getParent().toString();
            p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k).trim().replace(CONFIG_DIR, configDir)));
        }
        applyEnvironment(config, withFileVariables(environment));
        return ConfigProviders.resolve(config);
    }

    /** Suffix of a variable naming a file that holds the value of the variable without it. */
    public static final String FILE_SUFFIX = "_FILE";
    private static final java.util.function.Supplier<io.sealstream.config.ConfigRegistry> DECLARED =
            io.sealstream.config.ConfigRegistry::load;
    private static final java.util.List<String> FILE_VARIABLES = java.util.List.of("KAFKA_BOOTSTRAP_SERVERS",
            "SCHEMA_REGISTRY_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET");

    /**
     * The environment with each {@code NAME_FILE} of a variable sealstream maps (the stack's and every
     * {@code SEALSTREAM_CONFIG_*}) replaced by {@code NAME} holding the file's content.
     */
    static Map<String, String> withFileVariables(final Map<String, String> env) {
        final Map<String, String> out = new TreeMap<>(env);
        for (final Map.Entry<String, String> e : env.entrySet()) {
            final String name = e.getKey();
            if (!name.endsWith(FILE_SUFFIX) || e.getValue() == null || e.getValue().isBlank()) {
                continue;
            }
            final String target = name.substring(0, name.length() - FILE_SUFFIX.length());
            if (!FILE_VARIABLES.contains(target)
                    && !(target.startsWith(ENV_PREFIX) && target.length() > ENV_PREFIX.length())) {
                continue;
            }
            // A setting whose own name ends in .file (sealstream.kms.customer.keys.<id>.file) is set directly.
            if (name.startsWith(ENV_PREFIX) && DECLARED.get().isDeclared(keyOf(name.substring(ENV_PREFIX.length())))) {
                continue;
            }
            if (env.get(target) != null && !env.get(target).isBlank()) {
                throw new IllegalArgumentException("both " + target + " and " + name + " are set: set one");
            }
            out.remove(name);
            out.put(target, readValueFile(name, e.getValue().trim()));
        }
        return out;
    }

    private static String readValueFile(final String variable, final String file) {
        final String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (final IOException | RuntimeException e) {
            // The path may be shown; the content never is.
            throw new IllegalArgumentException("cannot read " + file + " named by " + variable + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
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
        // The AWS region, as AWS SDKs read it, for the S3 store too (the aws-kms provider reads it itself); an
        // explicit sealstream.store.s3.region wins.
        if (!config.containsKey("sealstream.store.s3.region")) {
            copy(env, "AWS_REGION", config, "sealstream.store.s3.region");
        }
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
