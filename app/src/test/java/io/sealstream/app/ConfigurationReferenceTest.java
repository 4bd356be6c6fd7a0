package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.config.ConfigRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md is the rendering of every declared setting (each module's ConfigKeySet, all on this module's
 * class path). After changing a declaration, regenerate the page:
 * {@code ./mvnw -B -o -q -pl app test -Dtest=ConfigurationReferenceTest -Dsealstream.docs.update=true}.
 */
class ConfigurationReferenceTest {

    static final String UPDATE_PROPERTY = "sealstream.docs.update";
    static final Path PAGE = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("CONFIGURATION.md");

    @Test
    void theReferencePageIsTheRenderingOfTheDeclarations() throws IOException {
        final String rendered = ConfigRegistry.load().renderMarkdown();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.writeString(PAGE, rendered, StandardCharsets.UTF_8);
        }
        final String onDisk = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        assertThat(onDisk)
                .as("%s is out of date with the declared settings; run this test with -D%s=true to rewrite it "
                        + "(./mvnw -B -o -q -pl app test -Dtest=ConfigurationReferenceTest -D%s=true)", PAGE,
                        UPDATE_PROPERTY, UPDATE_PROPERTY)
                .isEqualTo(rendered);
    }

    @Test
    void everyModuleThatReadsSettingsHasItsSetOnTheClassPath() {
        assertThat(ConfigRegistry.load().sets()).extracting(s -> s.module()).containsExactly(
                "sealstream-app", "sealstream-streams", "sealstream-store", "sealstream-kms-stack",
                "sealstream-kms-local", "sealstream-kms-pkcs11", "sealstream-kms-hadoop", "sealstream-kms-aws",
                "sealstream-kms-vault", "sealstream-kms-customer", "sealstream-lifecycle", "sealstream-health",
                "sealstream-gateway");
    }

    @Test
    void theExampleConfigurationsAreValid() throws IOException {
        final ConfigRegistry registry = ConfigRegistry.load();
        for (final String name : new String[] {"sealstream.properties", "stack.properties"}) {
            final Path file = PAGE.getParent().getParent().resolve("config").resolve(name);
            final Map<String, String> config = SealstreamConfig.load(file, Map.of());
            assertThat(registry.problems(config)).as(file.toString()).isEmpty();
        }
    }
}
