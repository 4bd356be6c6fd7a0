package io.sealstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One declared setting: the grammar of ConfigValues, defaults, one-line errors that name the key, secrets unseen. */
class ConfigKeyTest {

    enum Mode { WHEN_SUPPORTED, WHEN_REQUIRED }

    @Test
    void durationsAndSizesUseTheOneGrammar() {
        final ConfigKey<Duration> timeout = ConfigKey.duration("demo.timeout", Duration.ofSeconds(5), "How long.");
        assertThat(timeout.get(Map.of())).isEqualTo(Duration.ofSeconds(5));
        assertThat(timeout.get(Map.of("demo.timeout", " "))).isEqualTo(Duration.ofSeconds(5));
        assertThat(timeout.get(Map.of("demo.timeout", "500ms"))).isEqualTo(Duration.ofMillis(500));
        assertThat(timeout.get(Map.of("demo.timeout", "PT5S"))).isEqualTo(Duration.ofSeconds(5));
        assertThat(timeout.get(Map.of("demo.timeout", "250"))).isEqualTo(Duration.ofMillis(250));
        assertThat(timeout.get(Map.of("demo.timeout", Duration.ofMinutes(2)))).isEqualTo(Duration.ofMinutes(2));
        final ConfigKey<Long> size = ConfigKey.size("demo.size", 16L << 20, "How much.");
        assertThat(size.get(Map.of("demo.size", "16MiB"))).isEqualTo(16L << 20);
        assertThat(size.get(Map.of("demo.size", "1GB"))).isEqualTo(1L << 30);
        assertThat(size.get(Map.of("demo.size", "5000"))).isEqualTo(5000L);
        assertThat(size.defaultDescription()).isEqualTo("`16MiB`");
        assertThat(timeout.defaultDescription()).isEqualTo("`5s`");
        assertThat(ConfigKey.duration("demo.d", Duration.ofSeconds(60), "x").defaultDescription()).isEqualTo("`1m`");
        assertThat(ConfigKey.duration("demo.d", Duration.ofMillis(1500), "x").defaultDescription()).isEqualTo("`1500ms`");
        assertThat(ConfigKey.duration("demo.d", Duration.ofDays(7), "x").defaultDescription()).isEqualTo("`7d`");
    }

    @Test
    void booleansAreExactlyTrueOrFalse() {
        final ConfigKey<Boolean> flag = ConfigKey.bool("demo.flag", true, "On or off.");
        assertThat(flag.get(Map.of())).isTrue();
        assertThat(flag.get(Map.of("demo.flag", "FALSE"))).isFalse();
        assertThat(flag.get(Map.of("demo.flag", " True "))).isTrue();
        for (final String wrong : List.of("yes", "1", "on", "fals")) {
            assertThatThrownBy(() -> flag.get(Map.of("demo.flag", wrong)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("demo.flag: expected true or false, got '" + wrong + "'");
        }
    }

    @Test
    void integersKeepTheirBounds() {
        final ConfigKey<Integer> partitions = ConfigKey.integer("demo.partitions", 4, 1, 10_000, "How many.");
        assertThat(partitions.get(Map.of("demo.partitions", "12"))).isEqualTo(12);
        assertThat(partitions.type()).isEqualTo("integer 1..10000");
        assertThatThrownBy(() -> partitions.get(Map.of("demo.partitions", "0")))
                .hasMessage("demo.partitions: must be 1..10000, got 0");
        assertThatThrownBy(() -> partitions.get(Map.of("demo.partitions", "four")))
                .hasMessage("demo.partitions: not a whole number: 'four'");
        assertThat(ConfigKey.integer("demo.n", null, 1, Integer.MAX_VALUE, "x").type()).isEqualTo("integer >= 1");
        assertThat(ConfigKey.longInteger("demo.n", 1L, 1, Long.MAX_VALUE, "x").get(Map.of("demo.n", "5000000000")))
                .isEqualTo(5_000_000_000L);
    }

    @Test
    void choicesAndEnumsIgnoreCaseAndDashes() {
        final ConfigKey<String> type = ConfigKey.choice("demo.type", "filesystem", "Where.", "filesystem", "s3");
        assertThat(type.get(Map.of("demo.type", "S3"))).isEqualTo("s3");
        assertThat(type.type()).isEqualTo("one of `filesystem`, `s3`");
        assertThatThrownBy(() -> type.get(Map.of("demo.type", "gcs")))
                .hasMessage("demo.type: expected one of filesystem, s3, got 'gcs'");
        final ConfigKey<Mode> mode = ConfigKey.enumOf("demo.mode", Mode.class, Mode.WHEN_SUPPORTED,
                m -> m.name().toLowerCase(java.util.Locale.ROOT), "Checksums.");
        assertThat(mode.get(Map.of("demo.mode", "when-required"))).isEqualTo(Mode.WHEN_REQUIRED);
        assertThat(mode.get(Map.of("demo.mode", "WHEN_REQUIRED"))).isEqualTo(Mode.WHEN_REQUIRED);
        assertThat(mode.defaultDescription()).isEqualTo("`when_supported`");
        assertThatThrownBy(() -> ConfigKey.choice("demo.c", "x", "d", "a", "b")).hasMessageContaining("default");
    }

    @Test
    void listsPathsAndUrls() {
        final ConfigKey<List<String>> buckets = ConfigKey.list("demo.buckets", "Which.");
        assertThat(buckets.get(Map.of())).isEmpty();
        assertThat(buckets.get(Map.of("demo.buckets", " a, b ,,c "))).containsExactly("a", "b", "c");
        assertThat(buckets.defaultDescription()).isEqualTo("—");
        final ConfigKey<Path> root = ConfigKey.path("demo.root", Path.of("data", "objects"), "Where.");
        assertThat(root.get(Map.of("demo.root", "/var/x"))).isEqualTo(Path.of("/var/x"));
        assertThat(root.defaultDescription()).isEqualTo("`data/objects`");
        final ConfigKey<URI> url = ConfigKey.url("demo.url", "Where.");
        assertThat(url.get(Map.of())).isNull();
        assertThat(url.get(Map.of("demo.url", "https://kms.example:9600"))).isEqualTo(URI.create("https://kms.example:9600"));
        assertThatThrownBy(() -> url.get(Map.of("demo.url", "ftp://user:hunter2@host/")))
                .hasMessage("demo.url: must be an absolute http(s) URL such as https://host:port")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void errorsAreOneLineAndNameTheKey() {
        final ConfigKey<Duration> timeout = ConfigKey.duration("demo.timeout", Duration.ofSeconds(5), "How long.");
        assertThatThrownBy(() -> timeout.get(Map.of("demo.timeout", "5 parsecs\nand more")))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("demo.timeout: not a duration").doesNotContain("\n"));
        final ConfigKey<String> custom = ConfigKey.custom("demo.custom", "word", String.class, null, t -> {
            throw new IllegalArgumentException("bad:\n" + "x".repeat(1000));
        }, t -> t, "Anything.");
        assertThatThrownBy(() -> custom.get(Map.of("demo.custom", "y")))
                .satisfies(e -> assertThat(e.getMessage()).startsWith("demo.custom: bad: xxx").doesNotContain("\n")
                        .hasSizeLessThan(300));
        final ConfigKey<Duration> positive = timeout.positive();
        assertThatThrownBy(() -> positive.get(Map.of("demo.timeout", "0s")))
                .hasMessage("demo.timeout: must be positive, got '0s'");
        assertThat(positive.requirements()).containsExactly("positive");
        assertThatThrownBy(() -> ConfigKey.duration("demo.t", Duration.ZERO, "x").positive())
                .hasMessageContaining("default");
    }

    @Test
    void secretValuesAreNeverShown() {
        final ConfigKey<String> secret = ConfigKey.secret("demo.secret-key", "A credential.");
        assertThat(secret.isSecret()).isTrue();
        assertThat(secret.get(Map.of("demo.secret-key", "hunter2"))).isEqualTo("hunter2");
        final ConfigKey<Integer> pin = ConfigKey.integer("demo.pin", null, 0, 9999, "A PIN.").asSecret();
        assertThatThrownBy(() -> pin.get(Map.of("demo.pin", "hunter2")))
                .hasMessage("demo.pin: not a valid integer 0..9999 (the value of a secret setting is not shown)")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> pin.get(Map.of("demo.pin", "12345"))).hasMessageNotContaining("12345");
        final ConfigKey<String> code = ConfigKey.secret("demo.code", "A code.").require(s -> s.length() >= 8, "8 characters or more");
        assertThatThrownBy(() -> code.get(Map.of("demo.code", "short")))
                .hasMessage("demo.code: must be 8 characters or more").hasMessageNotContaining("short");
    }

    @Test
    void requiredKeysHaveNoDefault() {
        final ConfigKey<String> url = ConfigKey.string("demo.url", null, "Where.").required();
        assertThatThrownBy(() -> url.get(Map.of())).hasMessage("demo.url: required, not set");
        assertThat(url.defaultDescription()).isEqualTo("required");
        assertThatThrownBy(() -> ConfigKey.string("demo.x", "a", "d").required()).hasMessageContaining("no default");
        final ConfigKey<String> optional = ConfigKey.string("demo.opt", null, "Maybe.");
        assertThat(optional.get(Map.of())).isNull();
        assertThat(optional.defaultDescription()).isEqualTo("—");
        assertThat(optional.withDefaultText("the host name").defaultDescription()).isEqualTo("the host name");
    }

    @Test
    void familiesCoverEveryMatchingKey() {
        final ConfigKey<String> tenant = ConfigKey.string("demo.keys.tenant.<tenant>", null, "KEK of a tenant.");
        assertThat(tenant.kind()).isEqualTo(ConfigKey.Kind.FAMILY);
        assertThat(tenant.placeholders()).containsExactly("tenant");
        assertThat(tenant.matches("demo.keys.tenant.acme")).isTrue();
        assertThat(tenant.matches("demo.keys.tenant.")).isFalse();
        assertThat(tenant.matches("demo.keys.default")).isFalse();
        assertThat(tenant.name("acme")).isEqualTo("demo.keys.tenant.acme");
        assertThat(tenant.values(Map.of("demo.keys.tenant.acme", "kek-a", "demo.keys.tenant.b", " kek-b ", "other", "x")))
                .containsExactly(Map.entry("demo.keys.tenant.acme", "kek-a"), Map.entry("demo.keys.tenant.b", "kek-b"));
        assertThatThrownBy(() -> tenant.get(Map.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tenant.values(Map.of("demo.keys.tenant.acme", " ")))
                .hasMessage("demo.keys.tenant.acme: no value");
        final ConfigKey<Path> file = ConfigKey.path("demo.customer.keys.<keyId>.file", null, "Key file.");
        assertThat(file.placeholderValues("demo.customer.keys.tenant-a.file")).containsExactly("tenant-a");
        final ConfigKey<String> bucket = ConfigKey.string("demo.tenant.<tenant>.bucket.<bucket>", null, "x");
        assertThat(bucket.placeholderValues("demo.tenant.acme.bucket.invoices.2024")).containsExactly("acme", "invoices.2024");
        assertThat(bucket.name("acme", "invoices")).isEqualTo("demo.tenant.acme.bucket.invoices");
    }

    @Test
    void namesAndDocsAreChecked() {
        assertThatThrownBy(() -> ConfigKey.string("Demo.Upper", null, "x")).hasMessageContaining("not a setting name");
        assertThatThrownBy(() -> ConfigKey.string("nodots", null, "x")).hasMessageContaining("not a setting name");
        assertThatThrownBy(() -> ConfigKey.string("demo.x", null, " ")).hasMessageContaining("description");
        assertThat(ConfigKey.string("demo.x", null, "Two\nlines.").doc()).isEqualTo("Two lines.");
        assertThat(ConfigKey.duration("sealstream.retry.max-block", null, "x").environmentVariable())
                .isEqualTo("SEALSTREAM_CONFIG_SEALSTREAM_RETRY_MAX__BLOCK");
    }
}
