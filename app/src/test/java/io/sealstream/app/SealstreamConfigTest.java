package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A properties file with the environment on top: the local stack's variables and SEALSTREAM_CONFIG_* overrides. */
class SealstreamConfigTest {

    @TempDir
    Path dir;

    @Test
    void theEnvironmentOverridesTheFile() throws Exception {
        final Path file = dir.resolve("app.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nnum.stream.threads=1\nsealstream.store.bucket=from-file\n");
        final Map<String, String> c = SealstreamConfig.load(file, Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "SCHEMA_REGISTRY_URL", "http://127.0.0.1:8080/apis/ccompat/v7",
                "S3_ENDPOINT", "http://127.0.0.1:9000",
                "S3_ACCESS_KEY", "ak",
                "S3_SECRET_KEY", "sk",
                "S3_BUCKET", "sealed",
                "SEALSTREAM_CONFIG_NUM_STREAM_THREADS", "4",
                "SEALSTREAM_CONFIG_SEALSTREAM_STORE_S3_PATH__STYLE", "true",
                "UNRELATED", "x"));
        assertThat(c).containsEntry("bootstrap.servers", "env:9092")
                .containsEntry("schema.registry.url", "http://127.0.0.1:8080/apis/ccompat/v7")
                .containsEntry("sealstream.store.type", "s3")
                .containsEntry("sealstream.store.s3.endpoint", "http://127.0.0.1:9000")
                .containsEntry("sealstream.store.s3.access-key", "ak")
                .containsEntry("sealstream.store.s3.secret-key", "sk")
                .containsEntry("sealstream.store.bucket", "sealed")
                .containsEntry("num.stream.threads", "4")
                .containsEntry("sealstream.store.s3.path-style", "true")
                .doesNotContainKey("unrelated");
    }

    @Test
    void secretsAreHiddenWhenSettingsArePrinted() {
        final Map<String, String> shown = SealstreamConfig.redacted(Map.of(
                "sealstream.store.s3.secret-key", "sk-123",
                "basic.auth.user.info", "user:pw",
                "sasl.jaas.config", "x required password=\"p\";",
                "ssl.keystore.password", "ksp",
                "bootstrap.servers", "b:9092"));
        assertThat(shown.values()).doesNotContain("sk-123", "user:pw", "ksp").contains("[hidden]");
        assertThat(String.join(" ", shown.values())).doesNotContain("password=\"p\"");
        assertThat(shown).containsEntry("bootstrap.servers", "b:9092");
    }
}
