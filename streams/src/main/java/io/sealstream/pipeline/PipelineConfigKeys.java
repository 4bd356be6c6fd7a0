package io.sealstream.pipeline;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import io.sealstream.envelope.Preset;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The pipeline's settings, declared once: read by {@link PipelineConfig}, {@link Topics}, {@link KeyPolicy},
 * {@link StagingPolicy} and {@link RecordLimits}. The destination bucket and {@code reuse-existing-min-bytes} are
 * declared with the store's settings ({@code StoreConfigKeys}).
 */
public final class PipelineConfigKeys implements ConfigKeySet {

    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final long INT_SIZE_LIMIT = Integer.MAX_VALUE;

    public static final ConfigKey<String> INSTANCE_ID = ConfigKey.string("sealstream.instance-id", null,
                    "Names this instance in audit and rotation records (as `<application.id>/<instance-id>`) and in its "
                            + "`group.instance.id`.")
            .withDefaultText("the host name (`HOSTNAME`, else the local host's name)");

    public static final ConfigKey<String> TOPIC_UPLOADS = topic("sealstream.topic.uploads", Topics.UPLOADS,
            "Upload events: the pipeline's input.");
    public static final ConfigKey<String> TOPIC_OBJECTS = topic("sealstream.topic.objects", Topics.OBJECTS,
            "One event per object encrypted into the store.");
    public static final ConfigKey<String> TOPIC_AUDIT = topic("sealstream.topic.audit", Topics.AUDIT,
            "The chained audit trail; the chainer is its only writer.");
    public static final ConfigKey<String> TOPIC_ROTATION = topic("sealstream.topic.rotation", Topics.ROTATION,
            "Key rotation and key-lifecycle events.");
    public static final ConfigKey<String> TOPIC_DLQ = topic("sealstream.topic.dlq", Topics.DEAD_LETTERS,
            "Dead letters: records the pipeline cannot process, each with its reason.");
    public static final ConfigKey<String> TOPIC_AUDIT_PENDING = topic("sealstream.topic.audit-pending", null,
                    "Where every writer of audit events (the pipeline's tasks, CLI commands, jobs) puts them for the "
                            + "chainer; needs as many partitions as the audit topic.")
            .withDefaultText("`<audit topic>" + Topics.PENDING_SUFFIX + "`");

    public static final ConfigKey<String> KEYS_DEFAULT = ConfigKey.string("sealstream.keys.default",
            "sealstream-default", "The KEK for objects no more specific rule covers.");
    public static final ConfigKey<String> KEYS_QUARANTINE = ConfigKey.string("sealstream.keys.quarantine", null,
                    "The KEK dead letters are sealed under: a poison upload's original bytes (its inline payload is "
                            + "plaintext) are kept in the dead-letter topic as an envelope under this KEK, so only "
                            + "those who may use it can read or replay them (sealstream dlq).")
            .withDefaultText("sealstream.keys.default");
    public static final ConfigKey<String> KEYS_TENANT = ConfigKey.string("sealstream.keys.tenant.<tenant>", null,
            "The KEK for a tenant's objects.");
    public static final ConfigKey<String> KEYS_TENANT_BUCKET = ConfigKey.string(
            "sealstream.keys.tenant.<tenant>.bucket.<bucket>", null,
            "The KEK for a tenant's objects in one bucket; wins over the tenant's KEK and the default.");

    public static final ConfigKey<String> NOTIFICATIONS_TOPIC = ConfigKey.string("sealstream.notifications.topic", null,
            "A topic of S3 event notifications (JSON, as MinIO's `notify_kafka` target and AWS deliver them): each "
                    + "`ObjectCreated` record becomes a staged upload on the uploads topic. Off when unset.");
    public static final ConfigKey<String> NOTIFICATIONS_ROUTE_SOURCE = ConfigKey.string(
            "sealstream.notifications.route.<route>.source", null,
            "`s3://<staging bucket>/<key prefix>` whose notified objects this route takes (the longest matching "
                    + "prefix wins); the object key is the rest of the staging key.");
    public static final ConfigKey<String> NOTIFICATIONS_ROUTE_TENANT = ConfigKey.string(
            "sealstream.notifications.route.<route>.tenant", null, "The tenant the route's objects belong to.");
    public static final ConfigKey<String> NOTIFICATIONS_ROUTE_BUCKET = ConfigKey.string(
            "sealstream.notifications.route.<route>.bucket", null, "The tenant's logical bucket for the route's objects.");

    public static final ConfigKey<Long> INLINE_MAX_BYTES = ConfigKey.size("sealstream.inline.max-bytes",
                    PipelineConfig.DEFAULT_INLINE_MAX_BYTES,
                    "The largest inline payload an upload event may carry; a larger one is dead-lettered "
                            + "(`INLINE_TOO_LARGE`).")
            .require(v -> v <= 64L << 20, "at most 64MiB");

    public static final ConfigKey<Preset> ENVELOPE_PRESET = ConfigKey.enumOf("sealstream.envelope.preset",
            Preset.class, Preset.DEFAULT, "The envelope format of new objects: cipher suite and segment size.");

    public static final ConfigKey<Duration> RETRY_INITIAL_BACKOFF = ConfigKey.duration(
            "sealstream.retry.initial-backoff", PipelineConfig.RetrySettings.defaults().initialBackoff(),
            "First wait before a call to a dependency that is down (KMS, object store, schema registry) is tried "
                    + "again; the waits double up to max-backoff, with jitter.").notNegative();
    public static final ConfigKey<Duration> RETRY_MAX_BACKOFF = ConfigKey.duration("sealstream.retry.max-backoff",
            PipelineConfig.RetrySettings.defaults().maxBackoff(),
            "Longest wait between two tries; at least initial-backoff.").notNegative();
    public static final ConfigKey<Duration> RETRY_MAX_BLOCK = ConfigKey.duration("sealstream.retry.max-block",
            PipelineConfig.RetrySettings.defaults().maxBlock(),
            "How long one record may wait for a dependency before its stream thread gives way: the thread is "
                    + "replaced and the record processed again from its last committed offset (back-pressure, "
                    + "nothing skipped). Keep it below `transaction.timeout.ms`.").notNegative();

    public static final ConfigKey<Duration> DEDUPE_RETENTION = ConfigKey.duration("sealstream.dedupe.retention",
            Duration.ofDays(7), "How long processed event ids are remembered, so a redelivered upload event is not "
                    + "encrypted twice.").positive();

    public static final ConfigKey<List<String>> STAGING_BUCKETS = ConfigKey.list("sealstream.staging.buckets",
                    "The only buckets upload events may point to for their staging objects.")
            .withDefaultText("any bucket");
    public static final ConfigKey<Boolean> STAGING_TENANT_PREFIX = ConfigKey.bool("sealstream.staging.tenant-prefix",
            true, "Whether a tenant may only use staging objects whose keys start with `<tenant>/`. Off, any tenant "
                    + "can have any staging object the pipeline can read encrypted into its own space (and then read "
                    + "it): start-up warns.");

    public static final ConfigKey<Long> DLQ_MAX_VALUE_BYTES = intSize("sealstream.dlq.max-value-bytes",
            RecordLimits.DEFAULT_DLQ_VALUE_BYTES, 0,
            "How many bytes of the original value a dead letter keeps; it refers to the rest by topic, partition and "
                    + "offset.");
    public static final ConfigKey<Long> DLQ_MAX_KEY_BYTES = intSize("sealstream.dlq.max-key-bytes",
            RecordLimits.DEFAULT_DLQ_KEY_BYTES, 16,
            "How many bytes of the original key a dead letter keeps, and the longest key a dead letter is produced "
                    + "with.");
    public static final ConfigKey<Long> DLQ_MAX_HEADER_BYTES = intSize("sealstream.dlq.max-header-bytes",
            RecordLimits.DEFAULT_DLQ_HEADER_BYTES, 0,
            "How many bytes of header keys and values a dead letter keeps, headers in order.");
    public static final ConfigKey<Long> AUDIT_MAX_EVENT_BYTES = intSize("sealstream.audit.max-event-bytes",
            RecordLimits.DEFAULT_AUDIT_EVENT_BYTES, 1024,
            "The largest audit event the chainer accepts from the pending topic; a larger one is dead-lettered and a "
                    + "FAILURE event chained in its place.");

    public static final ConfigKey<String> AUDIT_SIGNING_KEY = ConfigKey.string("sealstream.audit.signing-key", null,
                    "The KMS key the chainer signs audit checkpoints with (Ed25519; the key store's entry for `local`). "
                            + "`sealstream audit public-key` prints its public key for `audit verify --public-key`.")
            .withDefaultText("sealstream.keys.default");
    public static final ConfigKey<Integer> AUDIT_CHECKPOINT_RECORDS = ConfigKey.integer(
            "sealstream.audit.checkpoint-records", 1000, 1, 100_000_000,
            "The chainer signs a checkpoint of a partition's head at least every this many records.");
    public static final ConfigKey<Duration> AUDIT_CHECKPOINT_INTERVAL = ConfigKey.duration(
            "sealstream.audit.checkpoint-interval", Duration.ofSeconds(10),
            "... and every this long while the head has moved since the last checkpoint: records newer than that "
                    + "are not yet vouched for.").require(d -> !d.isNegative() && !d.isZero(), "positive");

    public static final ConfigKey<List<String>> TRACE_HEADERS = ConfigKey.list("sealstream.trace.headers",
                    "Headers of an upload record carried onto the records it causes (its ObjectEncrypted, audit "
                            + "events and the chained audit record), so a trace follows the upload; each value at most "
                            + TraceHeaders.MAX_VALUE_BYTES + " bytes, a longer one is dropped. `none`: no header is carried. "
                            + "The defaults are W3C Trace Context's and Baggage's headers.")
            .withDefaultText("`" + String.join(",", TraceHeaders.DEFAULT_NAMES) + "`");

    /**
     * A topic-name setting: a legal Kafka topic name. Public for the other modules that name topics (the key-lifecycle
     * topics).
     */
    public static ConfigKey<String> topic(final String name, final String defaultTopic, final String doc) {
        return ConfigKey.custom(name, "topic name", String.class, defaultTopic, PipelineConfigKeys::topicName,
                t -> t, doc);
    }

    private static String topicName(final String text) {
        if (!TOPIC_NAME.matcher(text).matches() || text.equals(".") || text.equals("..")) {
            throw new IllegalArgumentException("not a legal Kafka topic name (letters, digits, '.', '_' and '-', at "
                    + "most 249): '" + text + "'");
        }
        return text;
    }

    private static ConfigKey<Long> intSize(final String name, final int defaultBytes, final long min, final String doc) {
        return ConfigKey.size(name, (long) defaultBytes, doc).require(v -> v >= min && v <= INT_SIZE_LIMIT,
                (min == 0 ? "" : "at least " + io.sealstream.config.ConfigValues.formatSize(min) + " and ")
                        + "below 2GiB");
    }

    @Override
    public String title() {
        return "Pipeline";
    }

    @Override
    public String module() {
        return "sealstream-streams";
    }

    @Override
    public String description() {
        return "Topics, the key policy (the most specific rule wins: tenant and bucket, then tenant, then the "
                + "default), payload and retry limits, and how much of a poison record dead letters keep. Start-up "
                + "checks that a dead letter (value + 2 × key + headers + 32 KiB of fields) fits the producer's "
                + "`max.request.size` and the dead-letter topic's `max.message.bytes`.";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(INSTANCE_ID, TOPIC_UPLOADS, TOPIC_OBJECTS, TOPIC_AUDIT, TOPIC_AUDIT_PENDING, TOPIC_ROTATION,
                TOPIC_DLQ, KEYS_DEFAULT, KEYS_QUARANTINE, KEYS_TENANT, KEYS_TENANT_BUCKET, INLINE_MAX_BYTES, ENVELOPE_PRESET,
                RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF, RETRY_MAX_BLOCK, DEDUPE_RETENTION, STAGING_BUCKETS,
                STAGING_TENANT_PREFIX, DLQ_MAX_VALUE_BYTES, DLQ_MAX_KEY_BYTES, DLQ_MAX_HEADER_BYTES,
                AUDIT_MAX_EVENT_BYTES, AUDIT_SIGNING_KEY, AUDIT_CHECKPOINT_RECORDS, AUDIT_CHECKPOINT_INTERVAL,
                TRACE_HEADERS, NOTIFICATIONS_TOPIC, NOTIFICATIONS_ROUTE_SOURCE, NOTIFICATIONS_ROUTE_TENANT,
                NOTIFICATIONS_ROUTE_BUCKET);
    }
}
