package io.sealstream.serde;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serdes' and REST client's configuration, read from Kafka-style configs with Confluent's keys. Unknown keys
 * are ignored (Kafka hands every application config to the serdes). Invalid values raise {@link ConfigException}
 * whose message never contains credentials; {@link #toString()} hides them too.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>default</th></tr>
 * <tr><td>{@code schema.registry.url}: comma-separated or a list; {@code http(s)://host:port[/path]} tried in
 * turn, or one {@code mock://scope}</td><td>required</td></tr>
 * <tr><td>{@code auto.register.schemas}</td><td>true</td></tr>
 * <tr><td>{@code use.latest.version}: serialize with the subject's latest schema</td><td>false</td></tr>
 * <tr><td>{@code latest.cache.ttl.sec}: how long the latest version is cached; -1 forever</td><td>-1</td></tr>
 * <tr><td>{@code specific.avro.reader}</td><td>false ({@link SpecificAvroSerde} sets true)</td></tr>
 * <tr><td>{@code key.subject.name.strategy}, {@code value.subject.name.strategy}</td><td>TopicNameStrategy</td></tr>
 * <tr><td>{@code basic.auth.credentials.source}: USER_INFO or URL (also {@code schema.registry.}-prefixed)</td>
 * <td>USER_INFO when a user info is given, else URL</td></tr>
 * <tr><td>{@code basic.auth.user.info}: {@code user:password} (also {@code schema.registry.basic.auth.user.info})</td>
 * <td>none</td></tr>
 * <tr><td>sealstream: {@code schema.registry.connect.timeout.ms}</td><td>5000</td></tr>
 * <tr><td>sealstream: {@code schema.registry.request.timeout.ms}</td><td>10000</td></tr>
 * <tr><td>sealstream: {@code schema.registry.retries}: retries after the first attempt on 5xx, 408, 429 and
 * network errors</td><td>3</td></tr>
 * <tr><td>sealstream: {@code schema.registry.retry.backoff.ms}, doubled each retry, with jitter</td><td>100</td></tr>
 * <tr><td>sealstream: {@code schema.registry.retry.backoff.max.ms}</td><td>2000</td></tr>
 * <tr><td>sealstream: {@code schema.registry.cache.capacity}: entries of each client cache</td><td>1000</td></tr>
 * </table>
 */
public record SchemaRegistrySerdeConfig(
        List<String> urls,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        boolean specificAvroReader,
        SubjectNameStrategy keySubjectNameStrategy,
        SubjectNameStrategy valueSubjectNameStrategy,
        BasicAuth basicAuth,
        Duration connectTimeout,
        Duration requestTimeout,
        int retries,
        Duration retryBackoff,
        Duration retryBackoffMax,
        int cacheCapacity,
        long latestCacheTtlSeconds,
        javax.net.ssl.SSLContext sslContext,
        BearerAuth bearerAuth) {
    /**
     * A static bearer token ({@code bearer.auth.credentials.source=STATIC_TOKEN}, {@code bearer.auth.token}, as
     * Confluent's clients take it); {@link #toString()} hides it.
     */
    public record BearerAuth(String token) {
        public BearerAuth {
            Objects.requireNonNull(token, "token");
        }

        public String header() {
            return "Bearer " + token;
        }

        @Override
        public String toString() {
            return "BearerAuth[token=***]";
        }
    }


    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Confluent's prefix for registry-client settings; the basic-auth keys are also read with it. */
    public static final String SCHEMA_REGISTRY_PREFIX = "schema.registry.";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRIES = "schema.registry.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";

    /** The {@code mock://} scheme: an in-JVM {@link MockSchemaRegistry} per scope name. */
    public static final String MOCK_SCHEME = "mock";

    /** HTTP basic-auth credentials; {@link #toString()} hides the password. */
    public record BasicAuth(String user, String password) {
        public BasicAuth {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        /** The {@code Authorization} header value. */
        public String header() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "BasicAuth[user=" + user + ", password=***]";
        }
    }

    /** Validates; URLs must already be free of credentials (the map constructor strips them). */
    public SchemaRegistrySerdeConfig {
        if (urls == null || urls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL + "\": the schema registry URL(s)");
        }
        urls = List.copyOf(urls);
        final long mocks = urls.stream().filter(u -> u.startsWith(MOCK_SCHEME + "://")).count();
        if (mocks > 0 && urls.size() > 1) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + ": a mock:// URL cannot be combined with other URLs");
        }
        for (final String url : urls) {
            if (!url.matches("(?i)(https?|mock)://[^@\\s]+")) {
                throw new ConfigException(SCHEMA_REGISTRY_URL + ": '" + redactUserInfo(url)
                        + "' is not an http(s):// URL without credentials, nor mock://scope");
            }
        }
        Objects.requireNonNull(keySubjectNameStrategy, KEY_SUBJECT_NAME_STRATEGY);
        Objects.requireNonNull(valueSubjectNameStrategy, VALUE_SUBJECT_NAME_STRATEGY);
        requirePositive(CONNECT_TIMEOUT_MS, connectTimeout);
        requirePositive(REQUEST_TIMEOUT_MS, requestTimeout);
        if (retries < 0 || retries > 100) {
            throw new ConfigException(RETRIES, retries, "must be between 0 and 100");
        }
        if (retryBackoff == null || retryBackoff.isNegative()) {
            throw new ConfigException(RETRY_BACKOFF_MS, retryBackoff, "must be 0 or more");
        }
        if (retryBackoffMax == null || retryBackoffMax.compareTo(retryBackoff) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, retryBackoffMax, "must be at least " + RETRY_BACKOFF_MS);
        }
        if (cacheCapacity < 1) {
            throw new ConfigException(CACHE_CAPACITY, cacheCapacity, "must be at least 1");
        }
        if (latestCacheTtlSeconds < -1) {
            throw new ConfigException(LATEST_CACHE_TTL_SEC, latestCacheTtlSeconds, "must be -1 (forever) or more");
        }
    }

    /** Reads, defaults and validates the configs. */
    public SchemaRegistrySerdeConfig(final Map<String, ?> configs) {
        this(urls(configs),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                bool(configs, USE_LATEST_VERSION, false),
                bool(configs, SPECIFIC_AVRO_READER, false),
                strategy(configs, KEY_SUBJECT_NAME_STRATEGY),
                strategy(configs, VALUE_SUBJECT_NAME_STRATEGY),
                basicAuth(configs),
                Duration.ofMillis(number(configs, CONNECT_TIMEOUT_MS, 5_000)),
                Duration.ofMillis(number(configs, REQUEST_TIMEOUT_MS, 10_000)),
                intNumber(configs, RETRIES, 3),
                Duration.ofMillis(number(configs, RETRY_BACKOFF_MS, 100)),
                Duration.ofMillis(number(configs, RETRY_BACKOFF_MAX_MS, 2_000)),
                intNumber(configs, CACHE_CAPACITY, 1_000),
                number(configs, LATEST_CACHE_TTL_SEC, -1),
                RegistryTls.fromConfigs(configs),
                bearerAuth(configs));
    }

    /** Same as the map constructor. */
    public static SchemaRegistrySerdeConfig from(final Map<String, ?> configs) {
        return new SchemaRegistrySerdeConfig(configs);
    }

    /** The strategy for keys or for values. */
    public SubjectNameStrategy subjectNameStrategy(final boolean isKey) {
        return isKey ? keySubjectNameStrategy : valueSubjectNameStrategy;
    }

    /** The scope of a {@code mock://scope} URL, or empty for a real registry. */
    public Optional<String> mockScope() {
        final String url = urls.get(0);
        final String prefix = MOCK_SCHEME + "://";
        return url.regionMatches(true, 0, prefix, 0, prefix.length()) ? Optional.of(url.substring(prefix.length()))
                : Optional.empty();
    }

    // ----------------------------------------------------------------------------------------------- parsing

    private static Object raw(final Map<String, ?> configs, final String key) {
        final Object value = configs.get(key);
        return value instanceof String s && s.isBlank() ? null : value;
    }

    private static Object rawEither(final Map<String, ?> configs, final String key) {
        final Object value = raw(configs, key);
        return value != null ? value : raw(configs, SCHEMA_REGISTRY_PREFIX + key);
    }

    private static List<String> rawUrls(final Map<String, ?> configs) {
        final Object value = raw(configs, SCHEMA_REGISTRY_URL);
        final List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        } else if (value != null) {
            out.addAll(List.of(String.valueOf(value).split(",")));
        }
        out.replaceAll(String::trim);
        out.removeIf(String::isEmpty);
        return out;
    }

    private static List<String> urls(final Map<String, ?> configs) {
        final List<String> out = new ArrayList<>();
        for (final String url : rawUrls(configs)) {
            out.add(stripUserInfo(url));
        }
        return out;
    }

    private static String stripUserInfo(final String url) {
        final URI uri = parse(url);
        if (MOCK_SCHEME.equalsIgnoreCase(uri.getScheme())) {
            final String scope = url.substring(url.indexOf("://") + 3);
            if (scope.isEmpty() || scope.contains("/")) {
                throw new ConfigException(SCHEMA_REGISTRY_URL + ": a mock URL is mock://scope, without a path; got '" + url + "'");
            }
            return MOCK_SCHEME + "://" + scope;
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + ": '" + redactUserInfo(url) + "' is not an http(s)://host[:port][/path] URL");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        final String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + host + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + path;
    }

    private static URI parse(final String url) {
        try {
            return new URI(url);
        } catch (final URISyntaxException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + ": '" + redactUserInfo(url) + "' is not a valid URL");
        }
    }

    /** The URL with anything between {@code ://} and {@code @} replaced, for messages. */
    static String redactUserInfo(final String url) {
        return url.replaceAll("(?<=://)[^/@]*@", "***@");
    }

    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

    /** {@code bearer.auth.credentials.source=STATIC_TOKEN} with {@code bearer.auth.token}; no other source here. */
    private static BearerAuth bearerAuth(final Map<String, ?> configs) {
        final Object source = configs.get(BEARER_AUTH_CREDENTIALS_SOURCE);
        final Object token = configs.get(BEARER_AUTH_TOKEN);
        if (source == null || String.valueOf(source).isBlank()) {
            if (token != null && !String.valueOf(token).isBlank()) {
                throw new ConfigException(BEARER_AUTH_TOKEN + " needs " + BEARER_AUTH_CREDENTIALS_SOURCE + "=STATIC_TOKEN");
            }
            return null;
        }
        if (!"STATIC_TOKEN".equalsIgnoreCase(String.valueOf(source).trim())) {
            throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE + " must be STATIC_TOKEN (the token itself may come "
                    + "from a file through a config provider), got '" + String.valueOf(source).trim() + "'");
        }
        if (token == null || String.valueOf(token).isBlank()) {
            throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE + "=STATIC_TOKEN needs " + BEARER_AUTH_TOKEN);
        }
        if (rawEither(configs, BASIC_AUTH_USER_INFO) != null) {
            throw new ConfigException("set basic auth or bearer auth for the schema registry, not both");
        }
        return new BearerAuth(String.valueOf(token).trim());
    }

    private static BasicAuth basicAuth(final Map<String, ?> configs) {
        final Object sourceValue = rawEither(configs, BASIC_AUTH_CREDENTIALS_SOURCE);
        final Object userInfo = rawEither(configs, BASIC_AUTH_USER_INFO);
        final List<String> urlUserInfos = new ArrayList<>();
        for (final String url : rawUrls(configs)) {
            final String info = parse(url).getUserInfo();
            if (info != null && !urlUserInfos.contains(info)) {
                urlUserInfos.add(info);
            }
        }
        final String source = sourceValue != null ? String.valueOf(sourceValue).trim().toUpperCase(Locale.ROOT)
                : userInfo != null ? "USER_INFO" : "URL";
        switch (source) {
            case "USER_INFO":
                if (userInfo == null) {
                    throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO needs " + BASIC_AUTH_USER_INFO + " (user:password)");
                }
                return userPassword(String.valueOf(userInfo), BASIC_AUTH_USER_INFO);
            case "URL":
                if (urlUserInfos.size() > 1) {
                    throw new ConfigException(SCHEMA_REGISTRY_URL + ": the URLs carry different credentials; use "
                            + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
                }
                if (urlUserInfos.isEmpty()) {
                    if (sourceValue != null) {
                        throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=URL needs credentials in "
                                + SCHEMA_REGISTRY_URL + " (http://user:password@host:port)");
                    }
                    return null;
                }
                return userPassword(urlUserInfos.get(0), SCHEMA_REGISTRY_URL);
            default:
                throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, sourceValue, "supported: USER_INFO, URL");
        }
    }

    private static BasicAuth userPassword(final String userInfo, final String key) {
        final int colon = userInfo.indexOf(':');
        if (colon <= 0) {
            throw new ConfigException(key + ": basic-auth credentials must have the form user:password");
        }
        return new BasicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    private static boolean bool(final Map<String, ?> configs, final String key, final boolean dflt) {
        final Object value = raw(configs, key);
        if (value == null) {
            return dflt;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        final String text = String.valueOf(value).trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key, value, "expected true or false");
    }

    private static long number(final Map<String, ?> configs, final String key, final long dflt) {
        final Object value = raw(configs, key);
        if (value == null) {
            return dflt;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (final NumberFormatException e) {
            throw new ConfigException(key, value, "expected a whole number");
        }
    }

    private static int intNumber(final Map<String, ?> configs, final String key, final int dflt) {
        final long value = number(configs, key, dflt);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ConfigException(key, value, "out of range");
        }
        return (int) value;
    }

    private static SubjectNameStrategy strategy(final Map<String, ?> configs, final String key) {
        final Object value = raw(configs, key);
        if (value == null) {
            return SubjectNameStrategy.TOPIC_NAME;
        }
        try {
            return SubjectNameStrategy.parse(value);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static void requirePositive(final String key, final Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigException(key, value == null ? null : value.toMillis(), "must be more than 0");
        }
    }
}
