package io.sealstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistrySerdeConfigTest {

    private static Map<String, Object> configs(final Object... keyValues) {
        final Map<String, Object> configs = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            configs.put((String) keyValues[i], keyValues[i + 1]);
        }
        return configs;
    }

    private static SchemaRegistrySerdeConfig config(final Object... keyValues) {
        return new SchemaRegistrySerdeConfig(configs(keyValues));
    }

    @Test
    void defaultsFollowConfluent() {
        final SchemaRegistrySerdeConfig c = config("schema.registry.url", "http://registry:8081", "unrelated.kafka.key", 5);
        assertThat(c.urls()).containsExactly("http://registry:8081");
        assertThat(c.autoRegisterSchemas()).isTrue();
        assertThat(c.useLatestVersion()).isFalse();
        assertThat(c.specificAvroReader()).isFalse();
        assertThat(c.keySubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(c.valueSubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(c.basicAuth()).isNull();
        assertThat(c.retries()).isEqualTo(3);
        assertThat(c.latestCacheTtlSeconds()).isEqualTo(-1);
        assertThat(c.mockScope()).isEmpty();
    }

    @Test
    void valuesAreReadFromStringsBooleansNumbersAndLists() {
        final SchemaRegistrySerdeConfig c = config(
                "schema.registry.url", List.of("https://a:8081/", "http://b/apis/ccompat/v7/"),
                "auto.register.schemas", "FALSE",
                "use.latest.version", true,
                "specific.avro.reader", " true ",
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                "key.subject.name.strategy", "TOPIC_RECORD_NAME",
                "schema.registry.retries", 0,
                "schema.registry.request.timeout.ms", "2500",
                "latest.cache.ttl.sec", 30L);
        assertThat(c.urls()).containsExactly("https://a:8081", "http://b/apis/ccompat/v7");
        assertThat(c.autoRegisterSchemas()).isFalse();
        assertThat(c.useLatestVersion()).isTrue();
        assertThat(c.specificAvroReader()).isTrue();
        assertThat(c.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(c.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(c.retries()).isZero();
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.latestCacheTtlSeconds()).isEqualTo(30);
        assertThat(config("schema.registry.url", " http://a:1 , http://b:2 ").urls()).containsExactly("http://a:1", "http://b:2");
    }

    @Test
    void mockUrlsNameAScope() {
        assertThat(config("schema.registry.url", "mock://my-scope").mockScope()).contains("my-scope");
        assertThatThrownBy(() -> config("schema.registry.url", "mock://a,http://b:1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mock://");
        assertThatThrownBy(() -> config("schema.registry.url", "mock://")).isInstanceOf(ConfigException.class);
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> config()).isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> config("schema.registry.url", " ")).isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> config("schema.registry.url", "ftp://x")).isInstanceOf(ConfigException.class).hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> config("schema.registry.url", "registry:8081")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config("schema.registry.url", "http://r", "auto.register.schemas", "yes"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r", "value.subject.name.strategy", "com.example.MyStrategy"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("TopicRecordNameStrategy");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r", "schema.registry.retries", -1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.retries");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r", "schema.registry.connect.timeout.ms", "soon"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.connect.timeout.ms");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r", "schema.registry.cache.capacity", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.cache.capacity");
    }

    @Test
    void basicAuthFromUserInfoInEitherKeyForm() {
        final SchemaRegistrySerdeConfig plain = config("schema.registry.url", "http://r:1",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "svc:s3cr:et");
        assertThat(plain.basicAuth()).isEqualTo(new SchemaRegistrySerdeConfig.BasicAuth("svc", "s3cr:et"));

        final SchemaRegistrySerdeConfig prefixed = config("schema.registry.url", "http://r:1",
                "schema.registry.basic.auth.credentials.source", "USER_INFO", "schema.registry.basic.auth.user.info", "svc:pw");
        assertThat(prefixed.basicAuth()).isEqualTo(new SchemaRegistrySerdeConfig.BasicAuth("svc", "pw"));

        // a user info without a source is meant to be used (Confluent would silently ignore it)
        assertThat(config("schema.registry.url", "http://r:1", "basic.auth.user.info", "svc:pw").basicAuth()).isNotNull();
    }

    @Test
    void basicAuthFromTheUrlIsStrippedFromTheUrls() {
        final SchemaRegistrySerdeConfig c = config("schema.registry.url", "http://svc:p%40ss@r:1/apis/ccompat/v7",
                "basic.auth.credentials.source", "URL");
        assertThat(c.basicAuth()).isEqualTo(new SchemaRegistrySerdeConfig.BasicAuth("svc", "p@ss"));
        assertThat(c.urls()).containsExactly("http://r:1/apis/ccompat/v7");
        assertThat(c.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void credentialsNeverAppearInConfigErrorsOrToString() {
        final SchemaRegistrySerdeConfig c = config("schema.registry.url", "http://r:1", "basic.auth.user.info", "svc:hunter2");
        assertThat(c.toString()).doesNotContain("hunter2").contains("svc");

        assertThatThrownBy(() -> config("schema.registry.url", "http://r:1", "basic.auth.user.info", "hunter2-without-user"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user:password").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> config("schema.registry.url", "ftp://svc:hunter2@r:1"))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r:1", "basic.auth.credentials.source", "USER_INFO"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r:1", "basic.auth.credentials.source", "URL"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user:password@");
        assertThatThrownBy(() -> config("schema.registry.url", "http://r:1", "basic.auth.credentials.source", "SASL_INHERIT"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("USER_INFO");
    }

    @Test
    void subjectNameStrategiesFollowConfluentNaming() {
        final org.apache.avro.Schema schema = TestEvents.UPLOADED;
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("uploads", false, schema)).isEqualTo("uploads-value");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("uploads", true, schema)).isEqualTo("uploads-key");
        assertThat(SubjectNameStrategy.RECORD_NAME.subject("uploads", false, schema)).isEqualTo("io.sealstream.events.ObjectUploaded");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("uploads", true, schema)).isEqualTo("uploads-io.sealstream.events.ObjectUploaded");
        for (final SubjectNameStrategy s : SubjectNameStrategy.values()) {
            assertThat(SubjectNameStrategy.parse(s.confluentClassName())).isEqualTo(s);
            assertThat(SubjectNameStrategy.parse(s.shortName())).isEqualTo(s);
        }
    }
}
