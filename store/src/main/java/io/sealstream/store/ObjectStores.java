package io.sealstream.store;

import io.sealstream.config.ConfigValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Makes the configured {@link ObjectStore} from properties:
 * <table>
 * <caption>Store properties</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code sealstream.store.type}</td><td>{@code filesystem}</td><td>{@code filesystem} or {@code s3}</td></tr>
 * <tr><td>{@code sealstream.store.filesystem.root}</td><td>{@code ./data/objects}</td><td>root directory</td></tr>
 * <tr><td>{@code sealstream.store.s3.endpoint}</td><td>AWS</td><td>{@code http(s)://host:port} of an
 *     S3-compatible server</td></tr>
 * <tr><td>{@code sealstream.store.s3.region}</td><td>{@code AWS_REGION}, profile, else {@code us-east-1}</td><td>signing
 *     region</td></tr>
 * <tr><td>{@code sealstream.store.s3.sse}, {@code .sse-kms-key-id}</td><td>{@code none}</td><td>server-side encryption
 *     ({@code s3}, {@code kms}) under the envelope</td></tr>
 * <tr><td>{@code sealstream.store.s3.access-key}, {@code .secret-key}</td><td>SDK default chain</td><td>static
 *     credentials, both or neither</td></tr>
 * <tr><td>{@code sealstream.store.s3.path-style}</td><td>true with an endpoint, else false</td><td>path-style
 *     addressing (MinIO, S3Proxy)</td></tr>
 * <tr><td>{@code sealstream.store.s3.checksum-mode}</td><td>{@code when_supported}</td><td>or
 *     {@code when_required} for servers that reject the SDK's default checksums</td></tr>
 * <tr><td>{@code sealstream.store.s3.multipart-threshold}</td><td>{@code 16MiB}</td><td>size from which uploads go
 *     in parts</td></tr>
 * <tr><td>{@code sealstream.store.s3.part-size}</td><td>{@code 8MiB}</td><td>part size, at least {@code 5MiB}</td></tr>
 * <tr><td>{@code sealstream.store.s3.connection-timeout}</td><td>{@code 5s}</td><td>TCP connect timeout</td></tr>
 * <tr><td>{@code sealstream.store.s3.socket-timeout}</td><td>{@code 10s}</td><td>longest wait for data</td></tr>
 * </table>
 * Sizes are bytes or take a binary unit ({@code 8m}, {@code 16MiB}); durations are milliseconds or take a unit
 * ({@code 500ms}, {@code 5s}, {@code PT5S}). Unknown {@code sealstream.store.*} keys are errors (typos would
 * otherwise be silently ignored); other keys are not looked at. Blank values count as absent. Every problem is an
 * {@link IllegalArgumentException} with a one-line message naming the key, never showing the secret key.
 */
public final class ObjectStores {

    public static final String PREFIX = "sealstream.store.";
    public static final String TYPE = PREFIX + "type";
    public static final String FILESYSTEM_ROOT = PREFIX + "filesystem.root";
    public static final String S3_ENDPOINT = PREFIX + "s3.endpoint";
    public static final String S3_REGION = PREFIX + "s3.region";
    public static final String S3_ACCESS_KEY = PREFIX + "s3.access-key";
    public static final String S3_SECRET_KEY = PREFIX + "s3.secret-key";
    public static final String S3_PATH_STYLE = PREFIX + "s3.path-style";
    public static final String S3_CHECKSUM_MODE = PREFIX + "s3.checksum-mode";
    public static final String S3_MULTIPART_THRESHOLD = PREFIX + "s3.multipart-threshold";
    public static final String S3_PART_SIZE = PREFIX + "s3.part-size";
    public static final String S3_CONNECTION_TIMEOUT = PREFIX + "s3.connection-timeout";
    public static final String S3_SOCKET_TIMEOUT = PREFIX + "s3.socket-timeout";
    public static final String S3_SSE = PREFIX + "s3.sse";
    public static final String S3_SSE_KMS_KEY_ID = PREFIX + "s3.sse-kms-key-id";
    public static final String S3_TRUSTSTORE = PREFIX + "s3.truststore";
    public static final String S3_TRUSTSTORE_PASSWORD = PREFIX + "s3.truststore-password";
    /** The bucket the pipeline writes ciphertext to: read by the pipeline, not the store, but a store setting to users. */
    public static final String BUCKET = PREFIX + "bucket";
    /** Read by the pipeline: objects from this size on are looked for before being written again. */
    public static final String REUSE_EXISTING_MIN_BYTES = PREFIX + "reuse-existing-min-bytes";

    private static final Set<String> KEYS = Set.of(TYPE, FILESYSTEM_ROOT, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY,
            S3_SECRET_KEY, S3_PATH_STYLE, S3_CHECKSUM_MODE, S3_MULTIPART_THRESHOLD, S3_PART_SIZE,
            S3_CONNECTION_TIMEOUT, S3_SOCKET_TIMEOUT, S3_SSE, S3_SSE_KMS_KEY_ID, S3_TRUSTSTORE, S3_TRUSTSTORE_PASSWORD, BUCKET,
            REUSE_EXISTING_MIN_BYTES);

    private ObjectStores() {
    }

    /** The store the properties describe. No I/O happens until the store is used. */
    public static ObjectStore fromConfig(final Map<String, ?> props) {
        return create(configFrom(props));
    }

    public static ObjectStore create(final ObjectStoreConfig config) {
        Objects.requireNonNull(config, "config");
        if (config instanceof S3StoreConfig s3) {
            return new S3ObjectStore(s3);
        }
        return new FilesystemObjectStore((FilesystemStoreConfig) config);
    }

    /** Reads and checks the properties without creating anything. */
    public static ObjectStoreConfig configFrom(final Map<String, ?> props) {
        Objects.requireNonNull(props, "props");
        final Set<String> unknown = new TreeSet<>();
        for (final String key : props.keySet()) {
            if (key.startsWith(PREFIX) && !KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown store configuration key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
        }
        final String type = value(props, TYPE);
        if (type == null || type.equalsIgnoreCase("filesystem")) {
            return new FilesystemStoreConfig(parsed(props, FILESYSTEM_ROOT, ObjectStores::path));
        }
        if (!type.equalsIgnoreCase("s3")) {
            throw new IllegalArgumentException(TYPE + " must be filesystem or s3, got '" + StoreSupport.oneLine(type) + "'");
        }
        final URI endpoint = parsed(props, S3_ENDPOINT, ObjectStores::uri);
        final Long threshold = parsed(props, S3_MULTIPART_THRESHOLD, ConfigValues::parseSize);
        final Long partSize = parsed(props, S3_PART_SIZE, ConfigValues::parseSize);
        final Duration connect = parsed(props, S3_CONNECTION_TIMEOUT, ConfigValues::parseDuration);
        final Duration socket = parsed(props, S3_SOCKET_TIMEOUT, ConfigValues::parseDuration);
        final Boolean pathStyle = parsed(props, S3_PATH_STYLE, ObjectStores::bool);
        final S3StoreConfig.ChecksumMode checksumMode = parsed(props, S3_CHECKSUM_MODE, S3StoreConfig.ChecksumMode::parse);
        try {
            return new S3StoreConfig(endpoint, value(props, S3_REGION), value(props, S3_ACCESS_KEY),
                    value(props, S3_SECRET_KEY), pathStyle, checksumMode, threshold, partSize, connect, socket,
                    S3StoreConfig.ServerSideEncryption.parse(value(props, S3_SSE), value(props, S3_SSE_KMS_KEY_ID)),
                    parsed(props, S3_TRUSTSTORE, ObjectStores::path), value(props, S3_TRUSTSTORE_PASSWORD));
        } catch (final IllegalArgumentException e) {
            // The record's messages name the setting by its key suffix (part-size, region, ...).
            throw new IllegalArgumentException(PREFIX + "s3." + e.getMessage(), e);
        }
    }

    private static String value(final Map<String, ?> props, final String key) {
        final Object v = props.get(key);
        if (v == null) {
            return null;
        }
        final String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    private static <T> T parsed(final Map<String, ?> props, final String key, final Function<String, T> parser) {
        final String v = value(props, key);
        if (v == null) {
            return null;
        }
        try {
            return parser.apply(v);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static Path path(final String text) {
        try {
            return Path.of(text);
        } catch (final InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + StoreSupport.oneLine(e.getMessage()));
        }
    }

    private static URI uri(final String text) {
        try {
            return new URI(text);
        } catch (final URISyntaxException e) {
            // The text may carry user info: say where it broke, not what it was.
            throw new IllegalArgumentException("not a valid URI (" + StoreSupport.oneLine(e.getReason()) + " at index "
                    + e.getIndex() + ")");
        }
    }

    private static Boolean bool(final String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("must be true or false, got '" + StoreSupport.oneLine(text) + "'");
        };
    }
}
