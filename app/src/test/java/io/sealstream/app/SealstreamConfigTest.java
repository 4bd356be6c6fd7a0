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

    @Test
    void everyVariableHasAFileFormForMountedSecretsAndSettingBothIsAnError() throws Exception {
        final Path secret = Files.writeString(dir.resolve("s3-secret"), "sk-from-file\n");
        final Path jaas = Files.writeString(dir.resolve("jaas"), "org.apache.kafka.common.security.scram.ScramLoginModule "
                + "required username=\"u\" password=\"p\";");
        final Map<String, String> c = SealstreamConfig.load(null, Map.of(
                "S3_SECRET_KEY_FILE", secret.toString(),
                "SEALSTREAM_CONFIG_SASL_JAAS_CONFIG_FILE", jaas.toString()));
        assertThat(c).containsEntry("sealstream.store.s3.secret-key", "sk-from-file")
                .containsEntry("sasl.jaas.config", Files.readString(jaas))
                .doesNotContainKey("sasl.jaas.config.file");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealstreamConfig.load(null, Map.of(
                        "S3_SECRET_KEY", "direct", "S3_SECRET_KEY_FILE", secret.toString())))
                .hasMessage("both S3_SECRET_KEY and S3_SECRET_KEY_FILE are set: set one");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealstreamConfig.load(null, Map.of(
                        "S3_SECRET_KEY_FILE", dir.resolve("missing").toString())))
                .hasMessageContaining("named by S3_SECRET_KEY_FILE").hasMessageNotContaining("sk-from-file");
    }

    @Test
    void kafkasConfigProvidersResolveEveryValueSealstreamsIncludedAndAreThenDropped() throws Exception {
        final Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("s3-secret-key"), "sk-from-directory");
        final Path props = Files.writeString(dir.resolve("creds.properties"), "password=scram-pw\n");
        final Path file = Files.writeString(dir.resolve("app.properties"), String.join("\n",
                "config.providers=dir,file",
                "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                "sealstream.store.s3.secret-key=${dir:" + secrets + ":s3-secret-key}",
                "sasl.jaas.config=x required username=\"u\" password=\"${file:" + props + ":password}\";",
                "bootstrap.servers=b:9092", ""));
        final Map<String, String> c = SealstreamConfig.load(file, Map.of());
        assertThat(c).containsEntry("sealstream.store.s3.secret-key", "sk-from-directory")
                .containsEntry("sasl.jaas.config", "x required username=\"u\" password=\"scram-pw\";")
                .containsEntry("bootstrap.servers", "b:9092");
        assertThat(c.keySet()).noneMatch(k -> k.startsWith("config.providers"));
    }

    @Test
    void aProviderClassOutsideKafkasAllowListIsRefused() throws Exception {
        final Path file = Files.writeString(dir.resolve("app.properties"), String.join("\n",
                "config.providers=env",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider", ""));
        final String before = System.getProperty(ConfigProviders.ALLOWED_PROPERTY);
        System.setProperty(ConfigProviders.ALLOWED_PROPERTY,
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealstreamConfig.load(file, Map.of()))
                    .hasMessageContaining("is not allowed by the system property " + ConfigProviders.ALLOWED_PROPERTY);
        } finally {
            if (before == null) {
                System.clearProperty(ConfigProviders.ALLOWED_PROPERTY);
            } else {
                System.setProperty(ConfigProviders.ALLOWED_PROPERTY, before);
            }
        }
    }

    @Test
    void configDirInTheFileIsTheFilesOwnDirectorySoItsPathsWorkFromAnyWorkingDirectory() throws Exception {
        final Path sub = Files.createDirectories(dir.resolve("etc"));
        final Path file = Files.writeString(sub.resolve("app.properties"),
                "state.dir=${config.dir}/../state\nsealstream.kms.local.keystore=${config.dir}/keys.p12\n");
        final Map<String, String> c = SealstreamConfig.load(file, Map.of());
        assertThat(Path.of(c.get("state.dir")).normalize()).isEqualTo(dir.resolve("state").toAbsolutePath().normalize());
        assertThat(c.get("sealstream.kms.local.keystore")).isEqualTo(sub.toAbsolutePath().normalize() + "/keys.p12");
    }

    @Test
    void theExampleConfigurationsPointIntoTheRepositorysDataDirectoryWhereverTheyAreRunFrom() throws Exception {
        final Path repo = Path.of("").toAbsolutePath().getParent();
        for (final String name : new String[] {"sealstream.properties", "stack.properties"}) {
            final Map<String, String> c = SealstreamConfig.load(repo.resolve("config").resolve(name), Map.of());
            assertThat(Path.of(c.get("state.dir")).normalize().toString()).as(name)
                    .startsWith(repo.resolve("data") + "/");
            assertThat(Path.of(c.get("sealstream.kms.local.keystore")).normalize().toString()).as(name)
                    .startsWith(repo.resolve("data") + "/");
        }
    }

    @Test
    void aSettingWhoseNameEndsInFileIsSetDirectlyNotReadFromTheFileItNames() throws Exception {
        final Path keyFile = Files.write(dir.resolve("t1.key"), new byte[] {(byte) 0xff, 0, 1, 2});
        final Map<String, String> c = SealstreamConfig.load(null, Map.of(
                "SEALSTREAM_CONFIG_SEALSTREAM_KMS_CUSTOMER_KEYS_T1_FILE", keyFile.toString()));
        assertThat(c).containsEntry("sealstream.kms.customer.keys.t1.file", keyFile.toString())
                .doesNotContainKey("sealstream.kms.customer.keys.t1");
    }

    @Test
    void aProviderReferenceThatDoesNotResolveStopsStartUpInsteadOfBecomingAPassword() throws Exception {
        final Path secrets = Files.createDirectories(dir.resolve("empty-secrets"));
        final Path file = Files.writeString(dir.resolve("app.properties"), String.join("\n",
                "config.providers=secrets",
                "config.providers.secrets.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "sasl.jaas.config=x required password=\"${secrets:" + secrets + ":kafka-password}\";", ""));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealstreamConfig.load(file, Map.of()))
                .hasMessage("sasl.jaas.config: its ${secrets:...} reference did not resolve (a missing file or key?)");
    }
}
