package io.sealstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every key declared once; a whole configuration checked at once; the reference page rendered from the declarations. */
class ConfigRegistryTest {

    record Set(String title, String module, int order, List<ConfigKey<?>> keys) implements ConfigKeySet {
    }

    static final ConfigKey<Duration> MAX_BLOCK = ConfigKey.duration("sealstream.retry.max-block", Duration.ofSeconds(60),
            "How long a record waits.").notNegative();
    static final ConfigKey<Long> INLINE = ConfigKey.size("sealstream.inline.max-bytes", 1L << 20, "Largest inline payload.");
    static final ConfigKey<Boolean> CREATE = ConfigKey.bool("sealstream.topic.create", true, "Create missing topics.");
    static final ConfigKey<Integer> PARTITIONS = ConfigKey.integer("sealstream.topic.partitions", 4, 1, 100_000,
            "Partitions | of new topics.");
    static final ConfigKey<String> SECRET = ConfigKey.secret("sealstream.store.s3.secret-key", "The S3 secret key.");
    static final ConfigKey<String> TENANT = ConfigKey.string("sealstream.keys.tenant.<tenant>", null,
            "The KEK of a tenant.");
    static final ConfigKey<String> TENANT_BUCKET = ConfigKey.string("sealstream.keys.tenant.<tenant>.bucket.<bucket>",
            null, "The KEK of a tenant's bucket.");
    static final ConfigKey<Integer> SLOT = ConfigKey.integer("sealstream.kms.pkcs11.slot", null, 0, Integer.MAX_VALUE,
            "The slot id.");
    static final ConfigKey<String> URL = ConfigKey.string("sealstream.kms.hadoop-kms.url", null, "The server.").required();

    private static final Set PIPELINE = new Set("Pipeline", "sealstream-streams", 20,
            List.of(MAX_BLOCK, INLINE, TENANT, TENANT_BUCKET));
    private static final Set APP = new Set("Application", "sealstream-app", 10, List.of(CREATE, PARTITIONS));
    private static final Set STORE = new Set("Object store", "sealstream-store", 30, List.of(SECRET));
    private static final Set KMS = new Set("KMS provider: pkcs11", "sealstream-kms-pkcs11", 40, List.of(SLOT));

    private final ConfigRegistry registry = ConfigRegistry.of(PIPELINE, STORE, APP, KMS);

    @Test
    void aValidConfigurationPasses() {
        final Map<String, Object> config = new HashMap<>(Map.of(
                "sealstream.retry.max-block", "30s",
                "sealstream.inline.max-bytes", "2MiB",
                "sealstream.topic.create", "FALSE",
                "sealstream.keys.tenant.acme", "kek-acme",
                "sealstream.keys.tenant.acme.bucket.invoices", "kek-invoices",
                "sealstream.store.s3.secret-key", "hunter2",
                "bootstrap.servers", "not checked: Kafka's",
                "num.stream.threads", "many"));
        config.put("sealstream.topic.partitions", " ");
        registry.validate(config);
        assertThat(registry.problems(config)).isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnceOneLineEach() {
        final Map<String, String> config = Map.of(
                "sealstream.retry.max-blok", "30s",
                "sealstream.inline.max-bytes", "lots",
                "sealstream.topic.create", "yes",
                "sealstream.topic.partitions", "0",
                "sealstream.keys.tenant.acme", " ",
                "sealstream.kms.pkcs11.slot", "-1");
        assertThatThrownBy(() -> registry.validate(config))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            "sealstream.inline.max-bytes: not a size (examples: 5242880, 8m, 16MiB): 'lots'",
                            "sealstream.keys.tenant.acme: no value",
                            "sealstream.kms.pkcs11.slot: must be >= 0, got -1",
                            "sealstream.retry.max-blok: unknown setting; did you mean sealstream.retry.max-block?",
                            "sealstream.topic.create: expected true or false, got 'yes'",
                            "sealstream.topic.partitions: must be 1..100000, got 0");
                    assertThat(e.problems()).allSatisfy(p -> assertThat(p).doesNotContain("\n"));
                    assertThat(e.getMessage()).startsWith("invalid configuration (6 problems):\n  sealstream.inline")
                            .hasLineCount(7);
                });
    }

    @Test
    void requiredKeysMustBeSet() {
        final ConfigRegistry withRequired = ConfigRegistry.of(new Set("KMS provider: hadoop-kms", "sealstream-kms-hadoop",
                1, List.of(URL)));
        assertThat(withRequired.problems(Map.of())).containsExactly("sealstream.kms.hadoop-kms.url: required, not set");
        assertThat(withRequired.problems(Map.of("sealstream.kms.hadoop-kms.url", "http://kms:9600"))).isEmpty();
    }

    @Test
    void secretValuesAndUnknownKeysValuesAreNeverShown() {
        final ConfigKey<Integer> pin = ConfigKey.integer("sealstream.test.pin", null, 0, 9999, "A PIN.").asSecret();
        final ConfigRegistry r = ConfigRegistry.of(new Set("Test", "test", 1, List.of(pin, SECRET)));
        final List<String> problems = r.problems(Map.of(
                "sealstream.test.pin", "hunter2",
                "sealstream.store.s3.secret-kee", "hunter3"));
        assertThat(problems).containsExactly(
                "sealstream.store.s3.secret-kee: unknown setting; did you mean sealstream.store.s3.secret-key?",
                "sealstream.test.pin: not a valid integer 0..9999 (the value of a secret setting is not shown)");
        assertThat(String.join("\n", problems)).doesNotContain("hunter");
    }

    @Test
    void unknownKeysGetTheNearestDeclaredName() {
        assertThat(registry.suggestion("sealstream.topic.partition")).contains("sealstream.topic.partitions");
        assertThat(registry.suggestion("sealstream.inline.max-byte")).contains("sealstream.inline.max-bytes");
        assertThat(registry.suggestion("sealstream.keys.tenants.acme")).contains("sealstream.keys.tenant.<tenant>");
        assertThat(registry.suggestion("sealstream.something.else.entirely")).isEmpty();
        assertThat(registry.problems(Map.of("sealstream.nothing.like.it", "x")))
                .containsExactly("sealstream.nothing.like.it: unknown setting (docs/CONFIGURATION.md lists every setting)");
        assertThat(ConfigRegistry.distance("sealstream.keys.tenant.acme", "sealstream.keys.tenant.<tenant>")).isZero();
        assertThat(ConfigRegistry.distance("abc", "abd")).isEqualTo(1);
        assertThat(ConfigRegistry.distance("a.x.file", "a.<id>.fiel")).isEqualTo(2);
    }

    @Test
    void familiesMatchTheirMembersAndTheMostSpecificWins() {
        assertThat(registry.isDeclared("sealstream.keys.tenant.acme")).isTrue();
        assertThat(registry.find("sealstream.keys.tenant.acme")).contains(TENANT);
        assertThat(registry.find("sealstream.keys.tenant.acme.bucket.invoices")).contains(TENANT_BUCKET);
        assertThat(registry.isDeclared("sealstream.keys.tenant.")).isFalse();
        assertThat(registry.isDeclared("sealstream.keys.default")).isFalse();
        assertThat(registry.find("sealstream.topic.create")).contains(CREATE);
        assertThat(registry.setOf("sealstream.keys.tenant.x").map(ConfigKeySet::module)).contains("sealstream-streams");
    }

    @Test
    void aKeyDeclaredTwiceIsRefused() {
        final Set again = new Set("Other", "sealstream-other", 50,
                List.of(ConfigKey.duration("sealstream.retry.max-block", null, "Declared again.")));
        assertThatThrownBy(() -> ConfigRegistry.of(PIPELINE, again))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sealstream.retry.max-block is declared twice")
                .hasMessageContaining("sealstream-streams").hasMessageContaining("sealstream-other");
        final Set family = new Set("Other", "sealstream-other", 50,
                List.of(ConfigKey.string("sealstream.keys.tenant.<name>", null, "Same family, other placeholder.")));
        assertThatThrownBy(() -> ConfigRegistry.of(PIPELINE, family)).hasMessageContaining("declared twice");
        final Set kafka = new Set("Kafka", "k", 1, List.of(ConfigKey.string("num.stream.threads", null, "Not ours.")));
        assertThatThrownBy(() -> ConfigRegistry.of(kafka)).hasMessageContaining("not a sealstream.* key");
    }

    @Test
    void setsAreFoundWithServiceLoader() {
        final ConfigRegistry loaded = ConfigRegistry.load();
        assertThat(loaded.sets()).extracting(ConfigKeySet::title).contains("Service-loaded test keys");
        assertThat(loaded.isDeclared("sealstream.test.poll")).isTrue();
        assertThat(loaded.problems(Map.of("sealstream.test.pol", "1s")))
                .containsExactly("sealstream.test.pol: unknown setting; did you mean sealstream.test.poll?");
    }

    @Test
    void theReferencePageHasTheGrammarAndOneTablePerSetInOrder() {
        final String md = registry.renderMarkdown();
        assertThat(md).startsWith("# Configuration reference\n")
                .contains("`16MiB`", "`500ms`", "`PT5S`", "`true` or `false`", "SEALSTREAM_CONFIG_<KEY>",
                        "SEALSTREAM_CONFIG_SEALSTREAM_RETRY_MAX__BLOCK")
                .contains("- [Application](#application) (`sealstream-app`): 2 entries\n")
                .contains("- [KMS provider: pkcs11](#kms-provider-pkcs11) (`sealstream-kms-pkcs11`): 1 entry\n")
                .contains("| Key | Type | Default | Description |\n|---|---|---|---|\n")
                .contains("| `sealstream.retry.max-block` | duration, zero or more | `1m` | How long a record waits. |\n")
                .contains("| `sealstream.topic.partitions` | integer 1..100000 | `4` | Partitions \\| of new topics. |\n")
                .contains("| `sealstream.store.s3.secret-key` | string, secret | — | The S3 secret key. |\n")
                .contains("| `sealstream.keys.tenant.<tenant>` | string | — | The KEK of a tenant. |\n")
                .endsWith(" |\n");
        assertThat(md.indexOf("### Application")).isLessThan(md.indexOf("### Pipeline"));
        assertThat(md.indexOf("### Pipeline")).isLessThan(md.indexOf("### Object store"));
        assertThat(md.indexOf("### Object store")).isLessThan(md.indexOf("### KMS provider: pkcs11"));
        assertThat(md).isEqualTo(ConfigRegistry.of(KMS, APP, STORE, PIPELINE).renderMarkdown());
    }
}
