package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.Preset;
import io.sealstream.config.ConfigValues;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings a user writes: defaults, the key policy's precedence, human sizes and durations, clear errors. */
class PipelineConfigTest {

    @Test
    void stagedPayloadsAreConfinedToTheirTenantByDefaultAndOpenSettingsAreNamed() {
        final StagingPolicy defaults = PipelineConfig.fromConfig(Map.of()).staging();
        assertThat(defaults.tenantPrefix()).isTrue();
        assertThat(defaults.unsafeSettings()).singleElement().asString().startsWith("sealstream.staging.buckets");

        final StagingPolicy open = PipelineConfig.fromConfig(Map.of("sealstream.staging.tenant-prefix", "false"))
                .staging();
        assertThat(open.unsafeSettings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("sealstream.staging.tenant-prefix=false")
                        .contains("read it back"));

        assertThat(PipelineConfig.fromConfig(Map.of("sealstream.staging.buckets", "staging")).staging()
                .unsafeSettings()).isEmpty();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        final PipelineConfig c = PipelineConfig.fromConfig(Map.of("sealstream.instance-id", "i1"));
        assertThat(c.applicationId()).isEqualTo("sealstream");
        assertThat(c.service()).isEqualTo("sealstream/i1");
        assertThat(c.topics().all()).containsExactly("sealstream.uploads", "sealstream.objects", "sealstream.audit",
                "sealstream.rotation", "sealstream.dlq", "sealstream.audit.pending", "sealstream.audit.checkpoints");
        assertThat(c.checkpoints()).isEqualTo(new PipelineConfig.AuditCheckpoints("sealstream-default", 1000,
                java.time.Duration.ofSeconds(10)));
        assertThat(c.destinationBucket()).isEqualTo("sealstream");
        assertThat(c.inlineMaxBytes()).isEqualTo(1 << 20);
        assertThat(c.preset()).isEqualTo(Preset.AES256_GCM_HKDF_SHA256_64KB);
        assertThat(c.retry().maxBlock()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.dedupeRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void thePendingAuditTopicFollowsARenamedAuditTopicUnlessNamed() {
        assertThat(Topics.fromConfig(Map.of("sealstream.topic.audit", "acme.audit")).auditPending())
                .isEqualTo("acme.audit.pending");
        assertThat(Topics.fromConfig(Map.of("sealstream.topic.audit", "acme.audit",
                "sealstream.topic.audit-pending", "acme.audit.inbox")).auditPending()).isEqualTo("acme.audit.inbox");
        assertThat(new Topics("u", "o", "a", "r", "d").auditPending()).isEqualTo("a.pending");
        assertThatThrownBy(() -> Topics.fromConfig(Map.of("sealstream.topic.audit-pending", "sealstream.audit")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    }

    @Test
    void theMostSpecificKeyPolicyRuleWins() {
        final KeyPolicy p = KeyPolicy.fromConfig(Map.of(
                "sealstream.keys.default", "k-default",
                "sealstream.keys.tenant.acme", "k-acme",
                "sealstream.keys.tenant.acme.bucket.invoices", "k-acme-invoices"));
        assertThat(p.kekFor("acme", "invoices")).isEqualTo("k-acme-invoices");
        assertThat(p.kekFor("acme", "media")).isEqualTo("k-acme");
        assertThat(p.kekFor("globex", "invoices")).isEqualTo("k-default");
    }

    @Test
    void sizesAndDurationsTakeHumanForms() {
        assertThat(ConfigValues.parseSize("16MiB")).isEqualTo(16L << 20);
        assertThat(ConfigValues.parseSize("8m")).isEqualTo(8L << 20);
        assertThat(ConfigValues.parseSize("64KiB")).isEqualTo(64L << 10);
        assertThat(ConfigValues.parseSize("1048576")).isEqualTo(1L << 20);
        assertThat(ConfigValues.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigValues.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ConfigValues.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badValuesFailWithOneLineNamingTheKey() {
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.inline.max-bytes", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sealstream.inline.max-bytes:");
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.retry.max-block", "forever")))
                .hasMessageStartingWith("sealstream.retry.max-block:");
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.envelope.preset", "AES128")))
                .hasMessageStartingWith("sealstream.envelope.preset: expected one of AES256_GCM_HKDF_SHA256_4KB").hasMessageEndingWith("got 'AES128'");
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.topic.audit", "sealstream.uploads")))
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.topic.dlq", "bad topic!")))
                .hasMessageContaining("not a legal Kafka topic name");
        assertThatThrownBy(() -> PipelineConfig.fromConfig(Map.of("sealstream.inline.max-bytes", "1GiB")))
                .hasMessage("sealstream.inline.max-bytes: must be at most 64MiB, got '1GiB'");
    }
}
