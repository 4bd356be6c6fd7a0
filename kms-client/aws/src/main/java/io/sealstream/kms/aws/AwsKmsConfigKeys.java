package io.sealstream.kms.aws;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The {@code aws-kms} provider's settings ({@value AwsKmsConfig#PREFIX}*), declared once; read by {@link AwsKmsConfig}. */
public final class AwsKmsConfigKeys implements ConfigKeySet {

    private static final String P = AwsKmsConfig.PREFIX;

    public static final ConfigKey<String> REGION = ConfigKey.string(P + "region", null, "AWS region of the keys.")
            .withDefaultText("`AWS_REGION`, else `AWS_DEFAULT_REGION`, else the AWS profile's region; one is "
                    + "required");

    public static final ConfigKey<URI> ENDPOINT = ConfigKey.url(P + "endpoint",
                    "Endpoint override (LocalStack, a VPC endpoint).")
            .withDefaultText("the region's public endpoint");

    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.duration(P + "connect-timeout",
            AwsKmsConfig.DEFAULT_CONNECT_TIMEOUT, "TCP connect timeout.").positive();

    public static final ConfigKey<Duration> SOCKET_TIMEOUT = ConfigKey.duration(P + "socket-timeout",
            AwsKmsConfig.DEFAULT_SOCKET_TIMEOUT, "Longest wait for response bytes.").positive();

    public static final ConfigKey<Duration> CALL_TIMEOUT = ConfigKey.duration(P + "call-timeout",
            AwsKmsConfig.DEFAULT_CALL_TIMEOUT, "Limit of one whole API call, the SDK's own retries included.").positive();

    public static final ConfigKey<Integer> MAX_ATTEMPTS = ConfigKey.integer(P + "max-attempts",
            AwsKmsConfig.DEFAULT_MAX_ATTEMPTS, 1, Integer.MAX_VALUE,
            "Attempts per call made by the AWS SDK itself (1: no SDK retries; sealstream's retry layer retries "
                    + "transient failures with backoff).");

    @Override
    public String title() {
        return "KMS provider: aws-kms";
    }

    @Override
    public String module() {
        return "sealstream-kms-aws";
    }

    @Override
    public String description() {
        return "With `sealstream.kms.provider=aws-kms` (docs/kms/aws-kms.md). Credentials are not settings: the AWS "
                + "SDK's default chain finds them (environment, profiles, web identity, container or instance roles).";
    }

    @Override
    public int order() {
        return 44;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(REGION, ENDPOINT, CONNECT_TIMEOUT, SOCKET_TIMEOUT, CALL_TIMEOUT, MAX_ATTEMPTS);
    }
}
