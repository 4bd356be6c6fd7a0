package io.sealstream.kms.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.KeyScope;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryingKeyManagementServiceTest {

    private final AtomicLong nanos = new AtomicLong();
    private final List<Duration> sleeps = new ArrayList<>();
    /** Advances the fake time instead of sleeping. */
    private final RetryingKeyManagementService.Sleeper sleeper = d -> {
        sleeps.add(d);
        nanos.addAndGet(d.toNanos());
    };
    private final RetryingKeyManagementService.Jitter maxJitter = ceiling -> ceiling;

    /** Fails {@code failures} times with {@code error}, then succeeds. */
    private static final class Flaky implements KeyManagementService {
        final AtomicInteger calls = new AtomicInteger();
        final int failures;
        final RuntimeException error;

        Flaky(final int failures, final RuntimeException error) {
            this.failures = failures;
            this.error = error;
        }

        @Override
        public String providerName() {
            return "local";
        }

        @Override
        public DataKey generateDataKey(final String kekId, final KeyScope scope) {
            if (calls.incrementAndGet() <= failures) {
                throw error;
            }
            return new DataKey(new byte[32], new WrappedDataKey(DekIds.newDekId(), new KekRef("local", kekId, "1"), new byte[60]));
        }

        @Override
        public DataKey unwrap(final WrappedDataKey wrapped) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyDescription describeKey(final String kekId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyDescription createKey(final String kekId) {
            calls.incrementAndGet();
            throw error;
        }

        @Override
        public KeyDescription rotateKey(final String kekId) {
            calls.incrementAndGet();
            throw error;
        }

        @Override
        public List<KeyDescription> listKeys() {
            return List.of();
        }
    }

    private RetryingKeyManagementService retrying(final KeyManagementService delegate, final RetryPolicy policy,
                                                  final RetryingKeyManagementService.Jitter jitter) {
        return new RetryingKeyManagementService(delegate, policy, sleeper, jitter, nanos::get);
    }

    @Test
    void transientFailuresAreRetriedWithGrowingBoundedBackoff() {
        final Flaky flaky = new Flaky(4, new KmsUnavailableException("throttled"));
        final RetryPolicy policy = RetryPolicy.defaults().withMaxBackoff(Duration.ofMillis(500));
        try (DataKey key = retrying(flaky, policy, maxJitter).generateDataKey("k")) {
            assertThat(key.dekId()).isNotNull();
        }
        assertThat(flaky.calls).hasValue(5);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(500));
    }

    @Test
    void jitteredWaitsStayBetweenHalfTheCeilingAndTheCeiling() {
        final Flaky flaky = new Flaky(5, new KmsUnavailableException("throttled"));
        retrying(flaky, RetryPolicy.defaults(), RetryingKeyManagementService.Jitter.EQUAL).generateDataKey("k").close();
        assertThat(sleeps).hasSize(5);
        for (int i = 0; i < sleeps.size(); i++) {
            final Duration ceiling = RetryPolicy.defaults().backoffCeiling(i + 1);
            assertThat(sleeps.get(i)).isBetween(ceiling.dividedBy(2), ceiling);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsWithAOneLineMessage() {
        final KmsUnavailableException last = new KmsUnavailableException("connection refused\nat host kms:443");
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, last);
        assertThatThrownBy(() -> retrying(flaky, RetryPolicy.defaults(), maxJitter).generateDataKey("orders-kek"))
                .isInstanceOf(KmsUnavailableException.class)
                .hasMessageStartingWith("KMS 'local' unavailable: generateDataKey(orders-kek) failed 6 times over 3.1 s")
                .hasMessageEndingWith("last error: connection refused at host kms:443")
                .hasCause(last)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(flaky.calls).hasValue(6);
    }

    @Test
    void givesUpWhenTheNextWaitWouldPassMaxElapsed() {
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, new KmsUnavailableException("down"));
        final RetryPolicy policy = RetryPolicy.defaults().withMaxAttempts(100).withMaxElapsed(Duration.ofSeconds(1));
        assertThatThrownBy(() -> retrying(flaky, policy, maxJitter).generateDataKey("k"))
                .isInstanceOf(KmsUnavailableException.class).hasMessageContaining("failed 4 times");
        assertThat(nanos.get()).isLessThanOrEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void permanentFailuresAreNotRetried() {
        final KeyNotFoundException notFound = new KeyNotFoundException("KEK 'k' not found");
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, notFound);
        assertThatThrownBy(() -> retrying(flaky, RetryPolicy.defaults(), maxJitter).generateDataKey("k")).isSameAs(notFound);
        assertThat(flaky.calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void nonIdempotentOperationsAreNotRetried() {
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, new KmsUnavailableException("timeout"));
        final RetryingKeyManagementService kms = retrying(flaky, RetryPolicy.defaults(), maxJitter);
        assertThatThrownBy(() -> kms.rotateKey("k")).isInstanceOf(KmsUnavailableException.class).hasMessage("timeout");
        assertThatThrownBy(() -> kms.createKey("k")).isInstanceOf(KmsUnavailableException.class).hasMessage("timeout");
        assertThat(flaky.calls).hasValue(2);
    }

    @Test
    void interruptRestoresTheFlagAndGivesUp() {
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, new KmsUnavailableException("down"));
        final RetryingKeyManagementService kms = new RetryingKeyManagementService(flaky, RetryPolicy.defaults(),
                d -> {
                    throw new InterruptedException();
                }, maxJitter, nanos::get);
        try {
            assertThatThrownBy(() -> kms.generateDataKey("k"))
                    .isInstanceOf(KmsUnavailableException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(flaky.calls).hasValue(1);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void realSleeperIsInterruptible() {
        final Flaky flaky = new Flaky(Integer.MAX_VALUE, new KmsUnavailableException("down"));
        final RetryingKeyManagementService kms = new RetryingKeyManagementService(flaky,
                RetryPolicy.defaults().withInitialBackoff(Duration.ofSeconds(5)));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> kms.generateDataKey("k")).isInstanceOf(KmsUnavailableException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void policyIsValidated() {
        assertThatThrownBy(() -> RetryPolicy.defaults().withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.defaults().withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.defaults().withMaxBackoff(Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.defaults().withMaxElapsed(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.defaults().backoffCeiling(30)).isEqualTo(Duration.ofSeconds(5));
    }
}
