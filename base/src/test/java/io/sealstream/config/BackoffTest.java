package io.sealstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one backoff shape: exponential ceilings, half of each wait fixed and half random. */
class BackoffTest {

    private final Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void ceilingsDoubleUpToTheMaximum() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(1_000)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void eachWaitIsHalfTheCeilingPlusARandomPartOfTheOtherHalf() {
        assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.delay(1, 1.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(4, 0.5)).isEqualTo(Duration.ofMillis(600));
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        }
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("initial");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ZERO, 0.5)).hasMessageContaining("multiplier");
    }
}
