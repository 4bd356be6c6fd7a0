package io.sealstream.store;

import io.sealstream.config.TlsFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.InstanceProfileRegionProvider;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** How {@link S3ObjectStore} makes its client: region, credentials, checksums, HTTP, and the writes' encryption. */
final class S3Clients {

    private S3Clients() {
    }

    /**
     * @param chunked whether bodies go aws-chunked: yes for multipart parts (each 128 KiB chunk is hashed and signed
     *                as it streams, so the server works while the client hashes), no for single PutObjects (a small
     *                body in one piece costs both sides less). Measured in docs/PERFORMANCE.md ("Before and after").
     */
    static S3Client build(final S3StoreConfig config, final Region region, final AwsCredentialsProvider credentials,
                          final Consumer<S3ClientBuilder> customizer, final boolean chunked) {
        final boolean checksums = config.checksumMode() == S3StoreConfig.ChecksumMode.WHEN_SUPPORTED;
        final S3ClientBuilder builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(chunked).build())
                .requestChecksumCalculation(checksums
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(checksums
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http(config));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        customizer.accept(builder);
        return builder.build();
    }

    private static Apache5HttpClient.Builder http(final S3StoreConfig config) {
        final Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .connectionTimeout(config.connectionTimeout())
                .socketTimeout(config.socketTimeout());
        if (config.truststore() != null) {
            // A private CA (S3Proxy's or MinIO's own): trust exactly it, with host names still checked.
            final javax.net.ssl.TrustManager[] trust = TlsFiles.trusting(TlsFiles.load(config.truststore(), null,
                    config.truststorePassword() == null ? null : config.truststorePassword().toCharArray(),
                    ObjectStores.S3_TRUSTSTORE));
            http.tlsTrustManagersProvider(() -> trust);
        }
        return http;
    }

    /**
     * Static credentials when configured; otherwise the SDK's default chain: environment, system properties, web
     * identity (EKS IRSA, through the {@code sts} module), profiles including SSO ({@code sso}, {@code ssooidc}),
     * container and instance roles. A provider of its own, so closing the store stops its refresh.
     */
    static AwsCredentialsProvider credentials(final S3StoreConfig config) {
        if (config.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * The configured region, else the environment's as the AWS SDK finds it ({@code aws.region}, {@code AWS_REGION},
     * the profile's region; on AWS itself, without an endpoint, the instance's), else {@code us-east-1}: an
     * S3-compatible server ignores the region, but it is part of every signature.
     */
    static Region region(final S3StoreConfig config) {
        if (config.region() != null) {
            return Region.of(config.region());
        }
        final List<AwsRegionProvider> providers = new ArrayList<>(List.of(new SystemSettingsRegionProvider(),
                new AwsProfileRegionProvider()));
        if (config.endpoint() == null) {
            providers.add(new InstanceProfileRegionProvider());
        }
        try {
            final Region found = new AwsRegionProviderChain(providers.toArray(AwsRegionProvider[]::new)).getRegion();
            if (found != null) {
                return found;
            }
        } catch (final SdkClientException none) {
            // no region anywhere: the default below
        }
        return Region.of(S3StoreConfig.DEFAULT_REGION);
    }

    /** Adds the configured server-side encryption to a write request (PutObject, CreateMultipartUpload). */
    static void encryption(final S3StoreConfig.ServerSideEncryption sse, final Consumer<ServerSideEncryption> mode,
                           final Consumer<String> kmsKeyId) {
        switch (sse.mode()) {
            case S3 -> mode.accept(ServerSideEncryption.AES256);
            case KMS -> {
                mode.accept(ServerSideEncryption.AWS_KMS);
                if (sse.kmsKeyId() != null) {
                    kmsKeyId.accept(sse.kmsKeyId());
                }
            }
            case NONE -> { }
        }
    }
}
