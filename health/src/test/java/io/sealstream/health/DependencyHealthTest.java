package io.sealstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an operator reads in the log when a dependency goes down: one line when it stops answering (also when it
 * accepts the connection and then says nothing), a reminder a minute while it lasts, one line when it is back.
 */
class DependencyHealthTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private volatile long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }

        void advance(final Duration d) {
            millis += d.toMillis();
        }
    }

    private final TestClock clock = new TestClock();
    private final List<String> lines = new ArrayList<>();
    private final DependencyHealth health = new DependencyHealth("object store (s3 http://s3:9000)", clock,
            Duration.ofSeconds(5), Duration.ofMinutes(1), lines::add);

    @Test
    void anOutageIsToldOnceRemindedEveryMinuteAndItsEndIsTold() {
        for (int i = 0; i < 20; i++) {
            final DependencyHealth.Call call = health.begin();
            call.failed("connection refused");
            call.close();
            clock.advance(Duration.ofSeconds(3));
            health.tick();
        }
        // 60 s of failing attempts: the first line at once, one reminder when the minute was up.
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("object store (s3 http://s3:9000) is not answering: connection refused")
                .contains("back-pressure");
        assertThat(lines.get(1)).contains("still not answering after 60.0 s").contains("20 failed");
        assertThat(health.isDown()).isTrue();

        final DependencyHealth.Call ok = health.begin();
        ok.succeeded();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("answering again after 60.0 s (20 failed or stalled attempts)");
        assertThat(health.isDown()).isFalse();

        // Answers (even refusals) while up say nothing.
        health.begin().succeeded();
        health.tick();
        assertThat(lines).hasSize(3);
    }

    @Test
    void aCallBlockedOnTheDependencyIsReportedAfterTheStallTimeNotWhenItsSocketTimesOut() {
        final DependencyHealth.Call call = health.begin();
        clock.advance(Duration.ofSeconds(4));
        health.tick();
        assertThat(lines).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        health.tick();
        assertThat(lines).singleElement().asString().contains("is not answering: no answer for 6.0 s");
        // The socket timeout fires later: the same failure, not told twice.
        clock.advance(Duration.ofSeconds(24));
        call.failed("Read timed out");
        health.tick();
        assertThat(lines).hasSize(1);
        health.begin().succeeded();
        assertThat(lines.get(1)).contains("answering again after 24.0 s");
    }

    @Test
    void aStalledCallThatThenFailsIsOneFailureAndNoFalseRecovery() {
        final DependencyHealth.Call call = health.begin();
        clock.advance(Duration.ofSeconds(6));
        health.tick();
        call.failed("Read timed out");  // the socket timeout fires after the stall was told
        call.unblocked();               // the caller's finally block
        assertThat(lines).singleElement().asString().contains("not answering");
        assertThat(health.isDown()).isTrue();
    }

    @Test
    void aCallerThatIsBusyElsewhereIsNotAStall() {
        final DependencyHealth.Call call = health.begin();
        call.unblocked(); // e.g. between reads of a stream, encrypting
        clock.advance(Duration.ofMinutes(5));
        health.tick();
        assertThat(lines).isEmpty();
        call.close();
    }

    @Test
    void aStalledCallThatMovesOnEndsTheOutage() {
        final DependencyHealth.Call call = health.begin();
        clock.advance(Duration.ofSeconds(7));
        health.tick();
        assertThat(health.isDown()).isTrue();
        call.unblocked();
        assertThat(health.isDown()).isFalse();
        assertThat(lines).hasSize(2);
    }
}
