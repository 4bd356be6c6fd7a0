package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.health.DependencyHealth;
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

/** The store's calls as the dependency monitor sees them: outages and stalls, not the caller's own pauses. */
class MonitoredObjectStoreTest {

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

    @Test
    void theMonitoredStoreTellsUnavailableFromAnswersAndWatchesStreamsOnlyWhileTheyWait() throws Exception {
        final List<String> storeLines = new ArrayList<>();
        final DependencyHealth store = DependencyHealth.forTests("store", clock, Duration.ofSeconds(5), Duration.ofMinutes(1),
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


    /**
     * A least-privilege policy answers the readiness probe's LIST with 403: that is the store answering, so a store
     * that was down is up again, not down for as long as nothing else calls it.
     */
    @Test
    void aRefusalFromTheServerShowsTheStoreIsThereAfterAnOutage() throws Exception {
        final DependencyHealth health = DependencyHealth.forTests("store", clock, Duration.ofSeconds(5),
                Duration.ofMinutes(1), line -> { });
        final java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        final ObjectStore raw = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("list")) {
                        return method.getName().equals("describe") ? "test" : null;
                    }
                    if (down.get()) {
                        throw new ObjectStoreUnavailableException("connection refused", null);
                    }
                    throw new IOException("S3 list failed: HTTP 403 AccessDenied",
                            software.amazon.awssdk.services.s3.model.S3Exception.builder().statusCode(403).build());
                });
        final MonitoredObjectStore monitored = new MonitoredObjectStore(raw, health);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> monitored.list("b", "", null, 1))
                .isInstanceOf(ObjectStoreUnavailableException.class);
        org.assertj.core.api.Assertions.assertThat(health.isDown()).isTrue();
        down.set(false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> monitored.list("b", "", null, 1))
                .hasMessageContaining("403");
        org.assertj.core.api.Assertions.assertThat(health.isDown()).as("a 403 is an answer").isFalse();
    }
}
