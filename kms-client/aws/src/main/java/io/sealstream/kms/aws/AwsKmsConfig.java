package io.sealstream.kms.aws;

import io.sealstream.kms.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the {@code aws-kms} provider. Credentials are not configured here: the AWS SDK's default chain finds
 * them (environment variables {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN},
 * system properties, {@code ~/.aws} profiles, web identity, container or instance roles).
 *
 * @param region         AWS region of the keys
 * @param endpoint       endpoint override (LocalStack, VPC endpoint), or null for the region's public endpoint
 * @param connectTimeout TCP connect timeout
 * @param socketTimeout  longest wait for response bytes
 * @param callTimeout    limit of one whole API call, including the SDK's own retries
 * @param maxAttempts    attempts per call made by the SDK itself (1 = no SDK retries; sealstream's retry layer
 *                       retries transient failures with backoff)
 */
public record AwsKmsConfig(String region, URI endpoint, Duration connectTimeout, Duration socketTimeout,
                           Duration callTimeout, int maxAttempts) {

    public static final String PREFIX = "sealstream.kms.aws-kms.";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 1;

    public AwsKmsConfig {
        Objects.requireNonNull(region, "region");
        if (region.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "region must not be blank");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(PREFIX + "max-attempts must be at least 1");
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            throw new IllegalArgumentException(PREFIX + "endpoint must be an absolute http(s) URL");
        }
    }

    /** Defaults for {@code region}, public endpoint. */
    public static AwsKmsConfig of(final String region) {
        return new AwsKmsConfig(region, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT, DEFAULT_CALL_TIMEOUT,
                DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * From {@code sealstream.kms.aws-kms.region} (else environment {@code AWS_REGION}, else
     * {@code AWS_DEFAULT_REGION}, else the AWS profile's region, as the S3 store finds it), {@code .endpoint}, {@code .connect-timeout}, {@code .socket-timeout},
     * {@code .call-timeout} and {@code .max-attempts}.
     */
    public static AwsKmsConfig fromProperties(final Map<String, String> config, final Map<String, String> env) {
        String region = ProviderSettings.string(config, PREFIX + "region", null);
        if (region == null) {
            region = ProviderSettings.string(env, "AWS_REGION", ProviderSettings.string(env, "AWS_DEFAULT_REGION", null));
        }
        if (region == null) {
            region = profileRegion();
        }
        if (region == null) {
            throw new IllegalArgumentException(PREFIX + "region is required (or set AWS_REGION, or a region in the AWS "
                    + "profile)");
        }
        final String endpointText = ProviderSettings.string(config, PREFIX + "endpoint", null);
        URI endpoint = null;
        if (endpointText != null) {
            try {
                endpoint = URI.create(endpointText);
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + "endpoint is not a URL");
            }
        }
        return new AwsKmsConfig(region, endpoint,
                ProviderSettings.duration(config, PREFIX + "connect-timeout", DEFAULT_CONNECT_TIMEOUT),
                ProviderSettings.duration(config, PREFIX + "socket-timeout", DEFAULT_SOCKET_TIMEOUT),
                ProviderSettings.duration(config, PREFIX + "call-timeout", DEFAULT_CALL_TIMEOUT),
                ProviderSettings.positiveInt(config, PREFIX + "max-attempts", DEFAULT_MAX_ATTEMPTS));
    }

    /** The same settings with another endpoint. */
    public AwsKmsConfig withEndpoint(final URI value) {
        return new AwsKmsConfig(region, value, connectTimeout, socketTimeout, callTimeout, maxAttempts);
    }

    /** The region of the AWS profile ({@code AWS_PROFILE}, else {@code default}) in the shared config, if any. */
    private static String profileRegion() {
        try {
            final software.amazon.awssdk.regions.Region r =
                    new software.amazon.awssdk.regions.providers.AwsProfileRegionProvider().getRegion();
            return r == null ? null : r.id();
        } catch (final RuntimeException none) {
            return null;
        }
    }
}
