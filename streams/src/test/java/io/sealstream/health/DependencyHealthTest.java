package io.sealstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.store.ObjectContentWriter;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    @Test
    void theMonitoredStoreTellsUnavailableFromAnswersAndWatchesStreamsOnlyWhileTheyWait() throws Exception {
        final List<String> storeLines = new ArrayList<>();
        final DependencyHealth store = new DependencyHealth("store", clock, Duration.ofSeconds(5), Duration.ofMinutes(1),
                storeLines::add);
        final CountDownLatch readEntered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ObjectStore raw = new ObjectStore() {
            int heads;

            @Override
            public StoredObject put(final ObjectLocation l, final Map<String, String> m, final ObjectContentWriter w)
                    throws IOException {
                throw new ObjectStoreUnavailableException("503 SlowDown", null);
            }

            @Override
            public Optional<StoredObject> head(final ObjectLocation l) throws IOException {
                if (heads++ == 0) {
                    throw new ObjectNotFoundException(l);
                }
                return Optional.empty();
            }

            @Override
            public InputStream get(final ObjectLocation l) {
                return new InputStream() {
                    @Override
                    public int read() throws IOException {
                        readEntered.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return -1;
                    }
                };
            }

            @Override
            public void delete(final ObjectLocation l) {
            }

            @Override
            public List<String> list(final String b, final String p, final String s, final int max) {
                return List.of();
            }

            @Override
            public String describe() {
                return "test";
            }

            @Override
            public void close() {
            }
        };
        final MonitoredObjectStore monitored = new MonitoredObjectStore(raw, store);
        final ObjectLocation where = new ObjectLocation("b", "k");
        // "Not found" is an answer.
        try {
            monitored.head(where);
        } catch (final ObjectNotFoundException expected) {
            // fine
        }
        assertThat(storeLines).isEmpty();
        // Unavailable is an outage.
        try {
            monitored.put(where, Map.of(), out -> out.write(1));
        } catch (final ObjectStoreUnavailableException expected) {
            // fine
        }
        assertThat(storeLines).singleElement().asString().contains("not answering: 503 SlowDown");
        monitored.head(where);
        assertThat(storeLines).hasSize(2);
        assertThat(storeLines.get(1)).contains("answering again");

        // A stream held open but not read is not a stall; a read that waits is.
        final InputStream in = monitored.get(where);
        clock.advance(Duration.ofMinutes(2));
        store.tick();
        assertThat(storeLines).hasSize(2);
        final Thread reader = new Thread(() -> {
            try {
                in.read();
            } catch (final IOException ignored) {
                // not expected
            }
        });
        reader.start();
        assertThat(readEntered.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(6));
        store.tick();
        assertThat(storeLines).hasSize(3);
        assertThat(storeLines.get(2)).contains("no answer for 6.0 s");
        release.countDown();
        reader.join();
        assertThat(storeLines.get(3)).contains("answering again");
        in.close();
    }

}
