package io.sealstream.pipeline;

import io.sealstream.store.StoreConfigKeys;

import io.sealstream.envelope.Preset;
import io.sealstream.config.ConfigValues;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The pipeline's own settings ({@code sealstream.*} keys), validated and defaulted. Kafka Streams, schema registry
 * and object store settings live beside them in the same properties and are read by their own components.
 *
 * @param applicationId     Kafka Streams {@code application.id}; also names this service in audit records
 * @param instanceId        this instance, for audit and rotation records ({@code sealstream.instance-id}, default the
 *                          host name)
 * @param topics            the topics ({@code sealstream.topic.*})
 * @param keyPolicy         which KEK encrypts which tenant's objects ({@code sealstream.keys.*})
 * @param destinationBucket where ciphertext goes ({@code sealstream.store.bucket}, default {@code sealstream})
 * @param inlineMaxBytes    the largest inline payload accepted ({@code sealstream.inline.max-bytes}, default 1 MiB)
 * @param preset            the envelope preset ({@code sealstream.envelope.preset}, default 64 KiB segments)
 * @param retry             how long a record waits for the KMS or the store before its thread gives way
 * @param dedupeRetention   how long processed event ids are remembered ({@code sealstream.dedupe.retention}, 7 days)
 * @param staging           which staging objects events may point to ({@code sealstream.staging.*}, default any)
 * @param reuseExistingMinBytes objects at least this large are looked for before writing, so a replay after a crash
 *                          reuses what an earlier attempt wrote instead of writing it again
 *                          ({@code sealstream.store.reuse-existing-min-bytes}, default 1 MiB); smaller ones are simply
 *                          written again, which costs less than the extra HEAD request on every object
 * @param limits            how much of a poison record dead letters and failure audit events keep
 *                          ({@code sealstream.dlq.*}, {@code sealstream.audit.max-event-bytes})
 * @param traceHeaders      the upload headers carried onto the records it causes ({@code sealstream.trace.headers})
 * @param notifications     S3 event notifications as a second input ({@code sealstream.notifications.*}); off by default
 */
public record PipelineConfig(String applicationId, String instanceId, Topics topics, KeyPolicy keyPolicy,
                             String destinationBucket, long inlineMaxBytes, Preset preset, RetrySettings retry,
                             Duration dedupeRetention, StagingPolicy staging, long reuseExistingMinBytes,
                             RecordLimits limits, AuditCheckpoints checkpoints, TraceHeaders traceHeaders,
                             NotificationRoutes notifications) {

    public static final long DEFAULT_INLINE_MAX_BYTES = 1L << 20;
    public static final String DEFAULT_BUCKET = "sealstream";
    public static final long DEFAULT_REUSE_EXISTING_MIN_BYTES = 1L << 20;

    public PipelineConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(keyPolicy, "keyPolicy");
        Objects.requireNonNull(destinationBucket, "destinationBucket");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(dedupeRetention, "dedupeRetention");
        Objects.requireNonNull(staging, "staging");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(traceHeaders, "traceHeaders");
        Objects.requireNonNull(notifications, "notifications");
        if (inlineMaxBytes < 0 || inlineMaxBytes > 64L << 20) {
            throw new IllegalArgumentException("sealstream.inline.max-bytes must be between 0 and 64MiB");
        }
        if (dedupeRetention.isNegative() || dedupeRetention.isZero()) {
            throw new IllegalArgumentException("sealstream.dedupe.retention must be positive");
        }
    }

    /**
     * How long one record may wait for a transient failure (KMS or object store down) to clear before its stream
     * thread gives way. The thread is then replaced and the record is processed again from its last committed
     * offset: back-pressure, nothing skipped.
     */
    public record RetrySettings(Duration initialBackoff, Duration maxBackoff, Duration maxBlock) {
        public RetrySettings {
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(maxBlock, "maxBlock");
            if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || maxBlock.isNegative()) {
                throw new IllegalArgumentException("retry settings must satisfy 0 <= initial-backoff <= max-backoff and max-block >= 0");
            }
        }

        public static RetrySettings defaults() {
            return new RetrySettings(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(60));
        }
    }

    public static PipelineConfig fromConfig(final Map<String, ?> config) {
        final RetrySettings d = RetrySettings.defaults();
        final RetrySettings retry = new RetrySettings(
                PipelineConfigKeys.RETRY_INITIAL_BACKOFF.get(config),
                PipelineConfigKeys.RETRY_MAX_BACKOFF.get(config),
                PipelineConfigKeys.RETRY_MAX_BLOCK.get(config));
        return new PipelineConfig(
                ConfigValues.string(config, "application.id", "sealstream"),
                java.util.Optional.ofNullable(PipelineConfigKeys.INSTANCE_ID.get(config)).orElseGet(PipelineConfig::defaultInstanceId),
                Topics.fromConfig(config),
                KeyPolicy.fromConfig(config),
                StoreConfigKeys.BUCKET.get(config),
                PipelineConfigKeys.INLINE_MAX_BYTES.get(config),
                PipelineConfigKeys.ENVELOPE_PRESET.get(config),
                retry,
                PipelineConfigKeys.DEDUPE_RETENTION.get(config),
                StagingPolicy.fromConfig(config),
                StoreConfigKeys.REUSE_EXISTING_MIN_BYTES.get(config),
                RecordLimits.fromConfig(config),
                new AuditCheckpoints(
                        java.util.Optional.ofNullable(PipelineConfigKeys.AUDIT_SIGNING_KEY.get(config))
                                .orElse(KeyPolicy.fromConfig(config).defaultKek()),
                        PipelineConfigKeys.AUDIT_CHECKPOINT_RECORDS.get(config),
                        PipelineConfigKeys.AUDIT_CHECKPOINT_INTERVAL.get(config)),
                TraceHeaders.fromConfig(config),
                NotificationRoutes.fromConfig(config, StagingPolicy.fromConfig(config)));
    }

    /**
     * How the chainer signs checkpoints of the audit partitions' heads (docs/ARCHITECTURE.md, "Signed checkpoints").
     *
     * @param signingKey   the KMS key id it signs with
     * @param everyRecords a checkpoint at least every this many records of a partition
     * @param interval     and every this long while a partition's head has moved
     */
    public record AuditCheckpoints(String signingKey, int everyRecords, Duration interval) {
        public AuditCheckpoints {
            Objects.requireNonNull(signingKey, "signingKey");
            Objects.requireNonNull(interval, "interval");
            if (everyRecords < 1 || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("checkpoints need everyRecords >= 1 and a positive interval");
            }
        }
    }

    /** The service name written into audit and rotation records: {@code applicationId/instanceId}. */
    public String service() {
        return applicationId + "/" + instanceId;
    }

    private static Preset preset(final String name) {
        try {
            return Preset.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("sealstream.envelope.preset: unknown preset '" + name + "'; expected one of "
                    + java.util.Arrays.toString(Preset.values()));
        }
    }

    private static String defaultInstanceId() {
        final String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (final java.io.IOException e) {
            return "localhost";
        }
    }
}
