package io.sealstream.stack;

import io.sealstream.config.EnvFile;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What clients need to reach the local stack, written as {@code DIR/stack.env} (owner-only: it holds the S3 secret).
 * Lines {@code NAME=value}, shell-sourceable and readable by {@code sealstream run --env-file}.
 */
public record StackEnv(String kafkaBootstrapServers, String schemaRegistryUrl, String s3Endpoint, String s3AccessKey,
                       String s3SecretKey, String s3Bucket, String s3StagingBucket, Map<String, String> clientSettings) {

    /** @param clientSettings further variables for clients, as written (a TLS stack's security settings) */
    public StackEnv {
        clientSettings = Map.copyOf(clientSettings == null ? Map.of() : clientSettings);
    }

    public StackEnv(final String kafkaBootstrapServers, final String schemaRegistryUrl, final String s3Endpoint,
                    final String s3AccessKey, final String s3SecretKey, final String s3Bucket,
                    final String s3StagingBucket) {
        this(kafkaBootstrapServers, schemaRegistryUrl, s3Endpoint, s3AccessKey, s3SecretKey, s3Bucket, s3StagingBucket,
                Map.of());
    }

    private static final java.util.Set<String> NAMED = java.util.Set.of("KAFKA_BOOTSTRAP_SERVERS",
            "SCHEMA_REGISTRY_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "S3_STAGING_BUCKET",
            "AWS_REGION");

    public static final String FILE = "stack.env";

    /** S3Proxy's region (any region signs for it; the SDKs need one). */
    public static final String REGION = "us-east-1";

    public Map<String, String> asMap() {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
        m.put("SCHEMA_REGISTRY_URL", schemaRegistryUrl);
        m.put("S3_ENDPOINT", s3Endpoint);
        m.put("S3_ACCESS_KEY", s3AccessKey);
        m.put("S3_SECRET_KEY", s3SecretKey);
        m.put("S3_BUCKET", s3Bucket);
        m.put("S3_STAGING_BUCKET", s3StagingBucket);
        // The region the local S3 server signs for; AWS SDKs, the aws CLI and sealstream's store all read it.
        m.put("AWS_REGION", REGION);
        new java.util.TreeMap<>(clientSettings).forEach(m::put);
        return m;
    }

    public void write(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE);
        final Path tmp = dir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : asMap().entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static StackEnv read(final Path dir) throws IOException {
        final Map<String, String> m = parse(dir.resolve(FILE));
        final Map<String, String> more = new LinkedHashMap<>(m);
        more.keySet().removeAll(NAMED);
        return new StackEnv(m.get("KAFKA_BOOTSTRAP_SERVERS"), m.get("SCHEMA_REGISTRY_URL"), m.get("S3_ENDPOINT"),
                m.get("S3_ACCESS_KEY"), m.get("S3_SECRET_KEY"), m.get("S3_BUCKET"), m.get("S3_STAGING_BUCKET"), more);
    }

    /** Reads {@code NAME=value} lines: {@link EnvFile#parse}. */
    public static Map<String, String> parse(final Path file) throws IOException {
        return EnvFile.parse(file);
    }
}
