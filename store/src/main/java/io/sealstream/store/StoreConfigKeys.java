package io.sealstream.store;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import io.sealstream.config.ConfigValues;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The object store's settings ({@code sealstream.store.*}), declared once. {@code bucket} and
 * {@code reuse-existing-min-bytes} are read by the pipeline, not by {@link ObjectStores}, but belong here for users:
 * every {@code sealstream.store.*} key is in this one table (and {@link ObjectStores} knows them all).
 */
public final class StoreConfigKeys implements ConfigKeySet {

    public static final ConfigKey<String> TYPE = ConfigKey.choice(ObjectStores.TYPE, "filesystem",
            "Where ciphertext is stored: a directory, or an S3(-compatible) bucket.", "filesystem", "s3");

    public static final ConfigKey<Path> FILESYSTEM_ROOT = ConfigKey.path(ObjectStores.FILESYSTEM_ROOT,
            FilesystemStoreConfig.DEFAULT_ROOT, "Root directory of the filesystem store (made absolute at start).");

    public static final ConfigKey<URI> S3_ENDPOINT = ConfigKey.url(ObjectStores.S3_ENDPOINT,
                    "Endpoint of an S3-compatible server (MinIO, S3Proxy, ...): `http(s)://host[:port]`. Never with "
                            + "credentials in it: they go in access-key and secret-key.")
            .require(u -> u.getRawUserInfo() == null && u.toString().indexOf('@') < 0, "without user info or '@'")
            .withDefaultText("AWS S3 of the region");

    public static final ConfigKey<String> S3_REGION = ConfigKey.string(ObjectStores.S3_REGION, null,
                    "Signing region.")
            .require(r -> r.matches("[a-z0-9][a-z0-9-]*"), "a region name such as us-east-1")
            .withDefaultText("`AWS_REGION`, the `aws.region` system property or the AWS profile's region (as the "
                    + "aws-kms provider), else `" + S3StoreConfig.DEFAULT_REGION + "`");

    public static final ConfigKey<java.nio.file.Path> S3_TRUSTSTORE = ConfigKey.path(ObjectStores.S3_TRUSTSTORE, null,
                    "The CAs an `https` endpoint's certificate is checked against: a PEM file of certificates, or a "
                            + "PKCS12 store with truststore-password (a private CA, S3Proxy's or MinIO's own).")
            .withDefaultText("the JVM's default trust");
    public static final ConfigKey<String> S3_TRUSTSTORE_PASSWORD = ConfigKey.secret(ObjectStores.S3_TRUSTSTORE_PASSWORD,
            "The PKCS12 trust store's password.");

    public static final ConfigKey<String> S3_SSE = ConfigKey.string(ObjectStores.S3_SSE, "none",
                    "Server-side encryption asked of the store on every write, as defence in depth under the envelope: "
                            + "`s3` (SSE-S3, AES256), `kms` (SSE-KMS) or `none`. The envelope stays the protection: "
                            + "the store holds these keys.")
            .require(v -> v.matches("(?i)none|s3|kms"), "none, s3 or kms");

    public static final ConfigKey<String> S3_SSE_KMS_KEY_ID = ConfigKey.string(ObjectStores.S3_SSE_KMS_KEY_ID, null,
                    "The KMS key of SSE-KMS (id, ARN or alias).")
            .withDefaultText("the bucket's default key, else the account's `aws/s3`");

    public static final ConfigKey<String> S3_ACCESS_KEY = ConfigKey.string(ObjectStores.S3_ACCESS_KEY, null,
                    "Static access key id, given together with secret-key; neither: the AWS SDK's default credential "
                            + "chain (environment, profiles, web identity, instance roles).")
            .withDefaultText("the AWS SDK's default chain");

    public static final ConfigKey<String> S3_SECRET_KEY = ConfigKey.secret(ObjectStores.S3_SECRET_KEY,
            "Static secret key, given together with access-key. Better set in the environment (`S3_SECRET_KEY`) "
                    + "than in the file.");

    public static final ConfigKey<Boolean> S3_PATH_STYLE = ConfigKey.bool(ObjectStores.S3_PATH_STYLE, null,
                    "Path-style addressing (`host/bucket/key`), which MinIO and S3Proxy need.")
            .withDefaultText("`true` with an endpoint, else `false`");

    public static final ConfigKey<S3StoreConfig.ChecksumMode> S3_CHECKSUM_MODE = ConfigKey.enumOf(
            ObjectStores.S3_CHECKSUM_MODE, S3StoreConfig.ChecksumMode.class, S3StoreConfig.ChecksumMode.WHEN_SUPPORTED,
            S3StoreConfig.ChecksumMode::configValue,
            "When the SDK computes request checksums and validates response checksums: `when_required` for "
                    + "S3-compatible servers that reject the newer checksums.");

    public static final ConfigKey<Long> S3_MULTIPART_THRESHOLD = ConfigKey.size(ObjectStores.S3_MULTIPART_THRESHOLD,
                    S3StoreConfig.DEFAULT_MULTIPART_THRESHOLD,
                    "Objects of this size and larger are uploaded in parts; smaller ones in one request (held in "
                            + "memory).")
            .require(v -> v >= 1 && v <= S3StoreConfig.MAX_BUFFERED_SIZE,
                    "between 1B and " + ConfigValues.formatSize(S3StoreConfig.MAX_BUFFERED_SIZE));

    public static final ConfigKey<Long> S3_PART_SIZE = ConfigKey.size(ObjectStores.S3_PART_SIZE,
                    S3StoreConfig.DEFAULT_PART_SIZE, "Size of each part of a multipart upload but the last (held in memory).")
            .require(v -> v >= S3StoreConfig.MIN_PART_SIZE && v <= S3StoreConfig.MAX_BUFFERED_SIZE,
                    "between " + ConfigValues.formatSize(S3StoreConfig.MIN_PART_SIZE) + " and "
                            + ConfigValues.formatSize(S3StoreConfig.MAX_BUFFERED_SIZE));

    public static final ConfigKey<Duration> S3_CONNECTION_TIMEOUT = ConfigKey.duration(ObjectStores.S3_CONNECTION_TIMEOUT,
            S3StoreConfig.DEFAULT_CONNECTION_TIMEOUT, "TCP connect timeout.").positive();

    public static final ConfigKey<Duration> S3_SOCKET_TIMEOUT = ConfigKey.duration(ObjectStores.S3_SOCKET_TIMEOUT,
            S3StoreConfig.DEFAULT_SOCKET_TIMEOUT,
            "Longest wait for data on an open connection (the dependency monitor reports a stalled store after "
                    + "`sealstream.health.stall-after` either way).").positive();

    /** The default of {@link #BUCKET}; the pipeline's {@code PipelineConfig.DEFAULT_BUCKET} is the same. */
    public static final String DEFAULT_BUCKET = "sealstream";

    public static final ConfigKey<String> BUCKET = ConfigKey.string(ObjectStores.BUCKET, DEFAULT_BUCKET,
            "The bucket the pipeline writes ciphertext to, as `<tenant>/<bucket>/<object key>` of the upload.");

    public static final ConfigKey<Long> REUSE_EXISTING_MIN_BYTES = ConfigKey.size(ObjectStores.REUSE_EXISTING_MIN_BYTES,
            1L << 20, "Objects at least this large are looked for in the store before being written, so a replay "
                    + "after a crash reuses what an earlier attempt wrote; smaller ones are simply written again, "
                    + "which costs less than a HEAD request for every object.");

    @Override
    public String title() {
        return "Object store";
    }

    @Override
    public String module() {
        return "sealstream-store";
    }

    @Override
    public String description() {
        return "Unknown `sealstream.store.*` keys are errors. With `type=s3`, give `access-key` and `secret-key` "
                + "together, or neither.";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(TYPE, FILESYSTEM_ROOT, BUCKET, REUSE_EXISTING_MIN_BYTES, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY,
                S3_SECRET_KEY, S3_PATH_STYLE, S3_CHECKSUM_MODE, S3_MULTIPART_THRESHOLD, S3_PART_SIZE,
                S3_CONNECTION_TIMEOUT, S3_SOCKET_TIMEOUT, S3_SSE, S3_SSE_KMS_KEY_ID, S3_TRUSTSTORE, S3_TRUSTSTORE_PASSWORD);
    }
}
