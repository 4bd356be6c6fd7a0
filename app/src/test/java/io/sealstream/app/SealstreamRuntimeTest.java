package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.config.ConfigValidationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Start-up refuses a wrong configuration before it opens anything: the broker address below is unreachable, so a
 * check that came after the first connection would hang instead of failing at once.
 */
@Timeout(30)
class SealstreamRuntimeTest {

    private static final Map<String, String> UNREACHABLE = Map.of("bootstrap.servers", "127.0.0.1:1",
            "schema.registry.url", "mock://runtime-test");

    private static Map<String, String> with(final String key, final String value) {
        final var config = new java.util.HashMap<>(UNREACHABLE);
        config.put(key, value);
        return config;
    }

    @Test
    void aMisspelledSettingIsRefusedWithTheNameItWasMeantToBe() {
        assertThatThrownBy(() -> SealstreamRuntime.forTool(with("sealstream.kms.cache.max-aeg", "10m"), Map.of(),
                "tester", "test"))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("sealstream.kms.cache.max-aeg: unknown setting")
                .hasMessageContaining("did you mean sealstream.kms.cache.max-age?");
    }

    @Test
    void theApplicationRefusesAWrongValueBeforeConnecting() {
        final long started = System.nanoTime();
        assertThatThrownBy(() -> SealstreamApp.start(with("sealstream.failover.fence-abandoned-transactions", "yes"),
                Map.of()))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("sealstream.failover.fence-abandoned-transactions: expected true or false, got 'yes'");
        org.assertj.core.api.Assertions.assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        final var config = with("sealstream.retry.max-block", "forever");
        config.put("sealstream.topic.partitions", "0");
        assertThatThrownBy(() -> SealstreamRuntime.forPipeline(config, Map.of()))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.problems()).hasSize(2)
                        .anySatisfy(p -> org.assertj.core.api.Assertions.assertThat(p).startsWith("sealstream.retry.max-block"))
                        .anySatisfy(p -> org.assertj.core.api.Assertions.assertThat(p).startsWith("sealstream.topic.partitions")));
    }
}
