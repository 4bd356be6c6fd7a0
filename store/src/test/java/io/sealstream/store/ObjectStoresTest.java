package io.sealstream.store;

import io.sealstream.config.ConfigValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectStoresTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void withNothingConfiguredTheStoreIsTheFilesystemUnderDataObjects() {
        assertThat(ObjectStores.configFrom(Map.of("bootstrap.servers", "x:9092")))
                .isEqualTo(new FilesystemStoreConfig(Path.of("./data/objects")));
        try (ObjectStore store = ObjectStores.fromConfig(Map.of())) {
            assertThat(store).isInstanceOf(FilesystemObjectStore.class);
            assertThat(store.describe()).endsWith(Path.of("data", "objects").toAbsolutePath().toString());
        }
    }

    @Test
    void theFilesystemRootIsConfigurable() {
        assertThat(ObjectStores.configFrom(Map.of("sealstream.store.type", "filesystem",
                "sealstream.store.filesystem.root", "/var/lib/sealstream/objects")))
                .isEqualTo(new FilesystemStoreConfig(Path.of("/var/lib/sealstream/objects")));
    }

    @Test
    void everyS3SettingIsRead() {
        final Map<String, Object> props = new HashMap<>();
        props.put("sealstream.store.type", "S3");
        props.put("sealstream.store.s3.endpoint", "http://minio:9000");
        props.put("sealstream.store.s3.region", "eu-west-3");
        props.put("sealstream.store.s3.access-key", "AK");
        props.put("sealstream.store.s3.secret-key", "SK");
        props.put("sealstream.store.s3.path-style", false);
        props.put("sealstream.store.s3.checksum-mode", "when_required");
        props.put("sealstream.store.s3.multipart-threshold", "32MiB");
        props.put("sealstream.store.s3.part-size", 6 * MIB);
        props.put("sealstream.store.s3.connection-timeout", "750ms");
        props.put("sealstream.store.s3.socket-timeout", "PT1M");

        assertThat(ObjectStores.configFrom(props)).isEqualTo(new S3StoreConfig(URI.create("http://minio:9000"),
                "eu-west-3", "AK", "SK", false, S3StoreConfig.ChecksumMode.WHEN_REQUIRED, 32 * MIB, 6 * MIB,
                Duration.ofMillis(750), Duration.ofMinutes(1), null, null, null));
    }

    @Test
    void s3DefaultsAreAwsUsEast1TheDefaultCredentialChainAndVirtualHostedAddressing() {
        final S3StoreConfig config = (S3StoreConfig) ObjectStores.configFrom(Map.of("sealstream.store.type", "s3"));

        assertThat(config).isEqualTo(S3StoreConfig.defaults());
        assertThat(config.endpoint()).isNull();
        assertThat(config.region()).as("from the environment, resolved by the store").isNull();
        assertThat(config.hasStaticCredentials()).isFalse();
        assertThat(config.pathStyle()).isFalse();
        assertThat(config.checksumMode()).isEqualTo(S3StoreConfig.ChecksumMode.WHEN_SUPPORTED);
        assertThat(config.multipartThreshold()).isEqualTo(16 * MIB);
        assertThat(config.partSize()).isEqualTo(8 * MIB);
        // No region anywhere (no AWS_REGION here, the instance metadata service turned off): us-east-1.
        final String imds = System.getProperty("aws.disableEc2Metadata");
        System.setProperty("aws.disableEc2Metadata", "true");
        try (ObjectStore store = ObjectStores.create(config)) {
            assertThat(store.describe()).isEqualTo("S3 store on AWS (region us-east-1)");
        } finally {
            if (imds == null) {
                System.clearProperty("aws.disableEc2Metadata");
            } else {
                System.setProperty("aws.disableEc2Metadata", imds);
            }
        }
    }

    @Test
    void anEndpointTurnsOnPathStyleUnlessToldOtherwise() {
        final Map<String, String> props = Map.of("sealstream.store.type", "s3",
                "sealstream.store.s3.endpoint", "http://127.0.0.1:9000");
        assertThat(((S3StoreConfig) ObjectStores.configFrom(props)).pathStyle()).isTrue();

        final Map<String, String> explicit = new HashMap<>(props);
        explicit.put("sealstream.store.s3.path-style", "FALSE");
        assertThat(((S3StoreConfig) ObjectStores.configFrom(explicit)).pathStyle()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"5242880, 5242880", "8m, 8388608", "8M, 8388608", "16MiB, 16777216", "16mb, 16777216",
            "1g, 1073741824", "1 GiB, 1073741824", "6144k, 6291456"})
    void sizesAreBytesOrTakeABinaryUnit(final String text, final long bytes) {
        final S3StoreConfig config = (S3StoreConfig) ObjectStores.configFrom(Map.of("sealstream.store.type", "s3",
                "sealstream.store.s3.part-size", text));
        assertThat(config.partSize()).isEqualTo(bytes);
        assertThat(ConfigValues.parseSize(ConfigValues.formatSize(bytes))).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sealstream.store.type=gcs | sealstream.store.type must be filesystem or s3, got 'gcs'",
        "sealstream.store.s3.pathstyle=true | unknown store configuration key sealstream.store.s3.pathstyle (known:",
        "sealstream.store.s3.part-size=1MiB | sealstream.store.s3.part-size must be between 5MiB and 1GiB, got 1MiB",
        "sealstream.store.s3.part-size=2GiB | sealstream.store.s3.part-size must be between 5MiB and 1GiB, got 2GiB",
        "sealstream.store.s3.part-size=12 parsecs | sealstream.store.s3.part-size: not a size (examples: 5242880, 8m, 16MiB): '12 parsecs'",
        "sealstream.store.s3.multipart-threshold=0 | sealstream.store.s3.multipart-threshold must be between 1B and 1GiB, got 0B",
        "sealstream.store.s3.access-key=AK | sealstream.store.s3.access-key and secret-key go together",
        "sealstream.store.s3.path-style=yes | sealstream.store.s3.path-style: must be true or false, got 'yes'",
        "sealstream.store.s3.checksum-mode=always | sealstream.store.s3.checksum-mode: must be when_supported or when_required, got 'always'",
        "sealstream.store.s3.region=US East | sealstream.store.s3.region must look like us-east-1, got 'US East'",
        "sealstream.store.s3.endpoint=ftp://host | sealstream.store.s3.endpoint must be http://host[:port] or https://host[:port], got 'ftp://host'",
        "sealstream.store.s3.endpoint=http://host:9000/bucket | sealstream.store.s3.endpoint must have no path",
        "sealstream.store.s3.socket-timeout=0 | sealstream.store.s3.socket-timeout must be positive",
        "sealstream.store.s3.connection-timeout=soon | sealstream.store.s3.connection-timeout: not a duration",
    })
    void invalidSettingsFailWithOneLineNamingTheKey(final String setting, final String expectedStart) {
        final String[] kv = setting.split("=", 2);
        final Map<String, String> props = new HashMap<>(Map.of(kv[0], kv[1]));
        props.putIfAbsent("sealstream.store.type", "s3");

        assertThatThrownBy(() -> ObjectStores.configFrom(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(expectedStart)
                .hasMessageNotContaining("\n");
    }

    @Test
    void secretsNeverShowInMessagesOrToString() {
        final String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        final Map<String, String> withUserInfo = Map.of("sealstream.store.type", "s3",
                "sealstream.store.s3.endpoint", "http://user:" + secret + "@host:9000");
        assertThatThrownBy(() -> ObjectStores.configFrom(withUserInfo))
                .hasMessageContaining("must not contain user info").hasMessageNotContaining(secret);
        final Map<String, String> badUri = Map.of("sealstream.store.type", "s3",
                "sealstream.store.s3.endpoint", "http://user:" + secret + "@host:9000/ bad");
        assertThatThrownBy(() -> ObjectStores.configFrom(badUri)).hasMessageNotContaining(secret);

        final S3StoreConfig config = S3StoreConfig.forEndpoint(URI.create("http://h:1"), "AK", secret);
        assertThat(config.toString()).contains("AK").doesNotContain(secret);
        try (ObjectStore store = ObjectStores.create(config)) {
            assertThat(store.describe()).isEqualTo("S3 store at http://h:1 (region us-east-1, path-style)")
                    .doesNotContain(secret);
        }
    }

    @Test
    void blankValuesCountAsAbsent() {
        assertThat(ObjectStores.configFrom(Map.of("sealstream.store.type", " ", "sealstream.store.filesystem.root", "")))
                .isEqualTo(FilesystemStoreConfig.defaults());
    }
}
