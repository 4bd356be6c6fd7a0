package io.sealstream.store;

import io.sealstream.config.ConfigValues;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Configuration of {@link S3ObjectStore}. A null component takes its default, and the constructor checks the rest,
 * so every instance is complete and valid. Build one with {@link #defaults()} and the {@code with...} methods.
 *
 * @param endpoint            endpoint override ({@code http(s)://host:port}, for S3-compatible servers); null for AWS
 * @param region              signing region; null: {@code AWS_REGION}, the {@code aws.region} system property or the
 *                            AWS profile's region, else (and always with an endpoint but no such setting)
 *                            {@code us-east-1}
 * @param accessKey           static credentials; both null: the AWS SDK's default credential chain
 * @param secretKey           see accessKey; never shown by {@link #toString()}
 * @param pathStyle           path-style addressing ({@code host/bucket/key}), needed by MinIO and S3Proxy; default:
 *                            true when an endpoint is set, false otherwise
 * @param checksumMode        when the SDK computes request checksums and validates response checksums
 * @param multipartThreshold  objects of this size and larger are uploaded in parts; default 16 MiB
 * @param partSize            size of each part but the last; default 8 MiB, at least 5 MiB (S3's minimum)
 * @param connectionTimeout   TCP connect timeout, default 5 s
 * @param socketTimeout       longest wait for data on an open connection, default 10 s (a stalled store is
 *                            reported after 5 s by the app's dependency monitor either way)
 * @param truststore          the CAs an https endpoint's certificate is checked against (PEM, or PKCS12 with
 *                            truststorePassword); null: the JVM's default trust
 * @param truststorePassword  the PKCS12/JKS trust store's password; never shown by {@link #toString()}
 * @param sse                 server-side encryption asked of the store on every write, as defence in depth under the
 *                            envelope (default none)
 */
public record S3StoreConfig(
        URI endpoint,
        String region,
        String accessKey,
        String secretKey,
        Boolean pathStyle,
        ChecksumMode checksumMode,
        Long multipartThreshold,
        Long partSize,
        Duration connectionTimeout,
        Duration socketTimeout,
        ServerSideEncryption sse,
        java.nio.file.Path truststore,
        String truststorePassword) implements ObjectStoreConfig {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final long MIB = 1024L * 1024;
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16 * MIB;
    public static final long DEFAULT_PART_SIZE = 8 * MIB;
    /** S3 rejects smaller parts (except the last). */
    public static final long MIN_PART_SIZE = 5 * MIB;
    /** Parts and everything below the threshold are held in memory: keep them sane. */
    public static final long MAX_BUFFERED_SIZE = 1024 * MIB;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** When request checksums are computed and response checksums validated (the SDK's two settings, together). */
    public enum ChecksumMode {
        /** Whenever the operation supports it (the SDK's default; AWS S3, MinIO, S3Proxy). */
        WHEN_SUPPORTED,
        /** Only when the operation requires it: for S3-compatible servers that reject the newer checksums. */
        WHEN_REQUIRED;

        /** {@code when_supported}, {@code when-supported}, any case. */
        public static ChecksumMode parse(final String text) {
            final String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (final ChecksumMode m : values()) {
                if (m.name().equals(t)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("must be when_supported or when_required, got '"
                    + StoreSupport.oneLine(text) + "'");
        }

        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public S3StoreConfig {
        if (endpoint != null) {
            checkEndpoint(endpoint);
        }
        region = region == null ? null : region.trim();
        if (region != null && !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region must look like us-east-1, got '" + StoreSupport.oneLine(region) + "'");
        }
        accessKey = blankToNull(accessKey);
        secretKey = blankToNull(secretKey);
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("access-key and secret-key go together: give both, or neither to use "
                    + "the AWS SDK's default credential chain");
        }
        pathStyle = pathStyle == null ? endpoint != null : pathStyle;
        checksumMode = checksumMode == null ? ChecksumMode.WHEN_SUPPORTED : checksumMode;
        multipartThreshold = multipartThreshold == null ? DEFAULT_MULTIPART_THRESHOLD : multipartThreshold;
        partSize = partSize == null ? DEFAULT_PART_SIZE : partSize;
        if (partSize < MIN_PART_SIZE || partSize > MAX_BUFFERED_SIZE) {
            throw new IllegalArgumentException("part-size must be between " + ConfigValues.formatSize(MIN_PART_SIZE)
                    + " and " + ConfigValues.formatSize(MAX_BUFFERED_SIZE) + ", got " + ConfigValues.formatSize(partSize));
        }
        if (multipartThreshold < 1 || multipartThreshold > MAX_BUFFERED_SIZE) {
            throw new IllegalArgumentException("multipart-threshold must be between 1B and "
                    + ConfigValues.formatSize(MAX_BUFFERED_SIZE) + ", got " + ConfigValues.formatSize(multipartThreshold));
        }
        connectionTimeout = positive(connectionTimeout, DEFAULT_CONNECTION_TIMEOUT, "connection-timeout");
        socketTimeout = positive(socketTimeout, DEFAULT_SOCKET_TIMEOUT, "socket-timeout");
        sse = sse == null ? ServerSideEncryption.NONE : sse;
    }

    /**
     * Server-side encryption the store applies to the ciphertext at rest (S3's {@code x-amz-server-side-encryption}):
     * a second layer under the envelope, for policies that require it. Never a substitute: the store holds those keys.
     *
     * @param mode     none, {@code s3} (SSE-S3, AES256) or {@code kms} (SSE-KMS)
     * @param kmsKeyId the KMS key for SSE-KMS; null: the bucket's or the account's default key
     */
    public record ServerSideEncryption(Mode mode, String kmsKeyId) {
        public static final ServerSideEncryption NONE = new ServerSideEncryption(Mode.NONE, null);

        public enum Mode { NONE, S3, KMS }

        public ServerSideEncryption {
            java.util.Objects.requireNonNull(mode, "mode");
            kmsKeyId = blankToNull(kmsKeyId);
            if (kmsKeyId != null && mode != Mode.KMS) {
                throw new IllegalArgumentException("sse-kms-key-id needs sse=kms");
            }
        }

        /** From the settings' text: {@code none}, {@code s3} or {@code kms} (any case), and the optional key id. */
        public static ServerSideEncryption parse(final String mode, final String kmsKeyId) {
            if (mode == null || mode.isBlank()) {
                return new ServerSideEncryption(Mode.NONE, kmsKeyId);
            }
            try {
                return new ServerSideEncryption(Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT)), kmsKeyId);
            } catch (final IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("sse-kms")) {
                    throw e;
                }
                throw new IllegalArgumentException("sse must be none, s3 or kms, got '" + StoreSupport.oneLine(mode) + "'");
            }
        }
    }

    /** Every default: AWS S3 in us-east-1 with the SDK's default credential chain. */
    public static S3StoreConfig defaults() {
        return new S3StoreConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** An S3-compatible server at {@code endpoint} with static credentials, path-style. */
    public static S3StoreConfig forEndpoint(final URI endpoint, final String accessKey, final String secretKey) {
        return new S3StoreConfig(endpoint, null, accessKey, secretKey, null, null, null, null, null, null, null, null, null);
    }

    public S3StoreConfig withEndpoint(final URI newEndpoint) {
        return new S3StoreConfig(newEndpoint, region, accessKey, secretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    public S3StoreConfig withRegion(final String newRegion) {
        return new S3StoreConfig(endpoint, newRegion, accessKey, secretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    public S3StoreConfig withCredentials(final String newAccessKey, final String newSecretKey) {
        return new S3StoreConfig(endpoint, region, newAccessKey, newSecretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    public S3StoreConfig withPathStyle(final boolean newPathStyle) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, newPathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    public S3StoreConfig withChecksumMode(final ChecksumMode newChecksumMode) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, pathStyle, newChecksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    /** Multipart threshold and part size together (they are usually chosen together). */
    public S3StoreConfig withMultipart(final long newThreshold, final long newPartSize) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, pathStyle, checksumMode,
                newThreshold, newPartSize, connectionTimeout, socketTimeout, sse, truststore, truststorePassword);
    }

    public S3StoreConfig withTimeouts(final Duration newConnectionTimeout, final Duration newSocketTimeout) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, newConnectionTimeout, newSocketTimeout, sse, truststore, truststorePassword);
    }

    /** The CAs an https endpoint is checked against (PEM, or PKCS12 with its password). */
    public S3StoreConfig withTruststore(final java.nio.file.Path newTruststore, final String newPassword) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, sse, newTruststore, newPassword);
    }

    public S3StoreConfig withServerSideEncryption(final ServerSideEncryption newSse) {
        return new S3StoreConfig(endpoint, region, accessKey, secretKey, pathStyle, checksumMode,
                multipartThreshold, partSize, connectionTimeout, socketTimeout, newSse, truststore, truststorePassword);
    }

    /** True when static credentials are configured, false for the SDK's default credential chain. */
    public boolean hasStaticCredentials() {
        return accessKey != null;
    }

    /** Everything but the secret key. */
    @Override
    public String toString() {
        return "S3StoreConfig[endpoint=" + (endpoint == null ? "(AWS)" : endpoint)
                + ", region=" + (region == null ? "from the environment" : region)
                + ", credentials=" + (accessKey == null ? "default chain" : "static, access key " + accessKey)
                + ", pathStyle=" + pathStyle + ", checksumMode=" + checksumMode.configValue()
                + ", multipartThreshold=" + ConfigValues.formatSize(multipartThreshold)
                + ", partSize=" + ConfigValues.formatSize(partSize)
                + ", connectionTimeout=" + connectionTimeout + ", socketTimeout=" + socketTimeout
                + ", sse=" + sse.mode().name().toLowerCase(Locale.ROOT)
                + (truststore == null ? "" : ", truststore=" + truststore) + "]";
    }

    private static void checkEndpoint(final URI endpoint) {
        // Never echo an endpoint carrying user info: it may hold a credential. A '@' anywhere is refused outright,
        // since a secret containing '/' does not even parse as user info.
        if (endpoint.getRawUserInfo() != null || endpoint.toString().indexOf('@') >= 0) {
            throw new IllegalArgumentException("endpoint must not contain user info or '@' (credentials go in "
                    + "access-key and secret-key)");
        }
        final String scheme = endpoint.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be http://host[:port] or https://host[:port], got '"
                    + StoreSupport.oneLine(endpoint.toString()) + "'");
        }
        final String path = endpoint.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/") || endpoint.getRawQuery() != null
                || endpoint.getRawFragment() != null) {
            throw new IllegalArgumentException("endpoint must have no path, query or fragment, got '"
                    + StoreSupport.oneLine(endpoint.toString()) + "'");
        }
    }

    private static String blankToNull(final String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Duration positive(final Duration d, final Duration fallback, final String name) {
        final Duration value = d == null ? fallback : d;
        if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be positive and at most a day, got " + value);
        }
        if (value.toMillis() == 0) {
            throw new IllegalArgumentException(name + " must be at least 1ms, got " + value);
        }
        return value;
    }
}
