package io.sealstream.kms.metrics;

import java.time.Duration;
import java.util.List;

/**
 * Counters of one KMS operation. Latency covers successful and failed calls alike.
 *
 * @param calls             calls started and finished
 * @param transientFailures calls that failed with a transient {@link io.sealstream.kms.KmsException}
 * @param permanentFailures calls that failed otherwise
 * @param totalNanos        sum of call durations
 * @param maxNanos          longest call
 * @param histogram         call counts per latency bucket; bucket {@code i} counts calls up to
 *                          {@link MeteredKeyManagementService#BUCKET_UPPER_BOUNDS}{@code [i]}, the last bucket the rest
 */
public record OperationMetrics(long calls, long transientFailures, long permanentFailures, long totalNanos,
                               long maxNanos, List<Long> histogram) {

    public OperationMetrics {
        histogram = List.copyOf(histogram);
    }

    public long failures() {
        return transientFailures + permanentFailures;
    }

    public long successes() {
        return calls - failures();
    }

    /** Mean latency, zero without calls. */
    public Duration mean() {
        return calls == 0 ? Duration.ZERO : Duration.ofNanos(totalNanos / calls);
    }
}
