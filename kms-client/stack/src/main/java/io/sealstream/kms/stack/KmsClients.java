package io.sealstream.kms.stack;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyManagementServiceDecorator;

import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheConfig;
import io.sealstream.kms.cache.DataKeyCacheListener;
import io.sealstream.kms.metrics.KmsMetricsSnapshot;
import io.sealstream.kms.metrics.MeteredKeyManagementService;
import io.sealstream.kms.retry.RetryPolicy;
import io.sealstream.kms.retry.RetryingKeyManagementService;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Assembles the standard client stack around a provider:
 * {@code cache( metered( retrying( provider ) ) )}.
 * <ul>
 *   <li>the cache is outermost, so a hit costs no retry or metrics work and its {@code kmsCalls} counter counts
 *       the calls that really leave it;</li>
 *   <li>metrics sit outside the retries, so they count logical KMS calls and their latency including backoff
 *       (the retry layer logs the individual attempts);</li>
 *   <li>retries sit directly on the provider.</li>
 * </ul>
 * Closing the returned service closes the whole stack, including the provider.
 */
public final class KmsClients {

    private KmsClients() {
    }

    /** The standard stack with the given limits (null = defaults). */
    public static CachingKeyManagementService standard(final KeyManagementService provider,
                                                       final DataKeyCacheConfig cacheConfig,
                                                       final RetryPolicy retryPolicy) {
        return builder(provider).cacheConfig(cacheConfig).retryPolicy(retryPolicy).build();
    }

    /** The standard stack with default limits. */
    public static CachingKeyManagementService standard(final KeyManagementService provider) {
        return builder(provider).build();
    }

    public static Builder builder(final KeyManagementService provider) {
        return new Builder(provider);
    }

    /** The metrics of a stack built here (or any stack containing a {@link MeteredKeyManagementService}). */
    public static Optional<KmsMetricsSnapshot> metrics(final KeyManagementService stack) {
        return KeyManagementServiceDecorator.find(stack, MeteredKeyManagementService.class)
                .map(MeteredKeyManagementService::snapshot);
    }

    /** Options of the standard stack; everything but the provider is optional. */
    public static final class Builder {
        private final KeyManagementService provider;
        private DataKeyCacheConfig cacheConfig = DataKeyCacheConfig.defaults();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private DataKeyCacheListener listener = DataKeyCacheListener.NONE;
        private Clock clock = Clock.systemUTC();

        private Builder(final KeyManagementService provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        public Builder cacheConfig(final DataKeyCacheConfig value) {
            this.cacheConfig = value == null ? DataKeyCacheConfig.defaults() : value;
            return this;
        }

        public Builder retryPolicy(final RetryPolicy value) {
            this.retryPolicy = value == null ? RetryPolicy.defaults() : value;
            return this;
        }

        /** Receives DEK created/retired events, e.g. for the audit trail. */
        public Builder listener(final DataKeyCacheListener value) {
            this.listener = value == null ? DataKeyCacheListener.NONE : value;
            return this;
        }

        /** Time source of the cache's age limits. */
        public Builder clock(final Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public CachingKeyManagementService build() {
            final KeyManagementService retrying = new RetryingKeyManagementService(provider, retryPolicy);
            final KeyManagementService metered = new MeteredKeyManagementService(retrying);
            return new CachingKeyManagementService(metered, cacheConfig, clock, listener);
        }
    }
}
