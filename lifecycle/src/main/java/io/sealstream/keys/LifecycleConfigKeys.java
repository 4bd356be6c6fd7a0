package io.sealstream.keys;

import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import io.sealstream.keys.kafka.KafkaKeyAdminLog;
import io.sealstream.pipeline.PipelineConfigKeys;
import java.time.Duration;
import java.util.List;

/**
 * The key lifecycle's settings, declared once: its topics ({@link KeyTopics}), how pipelines follow it (read by the
 * app's periodic work), the lifecycle tools' transactional id ({@link KafkaKeyAdminLog}) and the audit writers'
 * acknowledgement timeout ({@link KafkaAuditLog}).
 */
public final class LifecycleConfigKeys implements ConfigKeySet {

    public static final ConfigKey<String> TOPIC_DEKS = PipelineConfigKeys.topic("sealstream.topic.deks", KeyTopics.DEKS,
            "The DEK registry: compacted and kept without time limit (start-up refuses a topic that deletes by time).");
    public static final ConfigKey<String> TOPIC_COMMANDS = PipelineConfigKeys.topic("sealstream.topic.commands",
            KeyTopics.COMMANDS, "Re-wrap job submissions.");
    public static final ConfigKey<String> TOPIC_JOBS = PipelineConfigKeys.topic("sealstream.topic.jobs", KeyTopics.JOBS,
            "Re-wrap job checkpoints: compacted and kept without time limit.");

    public static final ConfigKey<Duration> REGISTRY_REFRESH = ConfigKey.duration("sealstream.lifecycle.registry-refresh",
            Duration.ofSeconds(5), "How often a pipeline re-reads the DEK registry: a data key shredded elsewhere leaves "
                    + "its cache within this.").positive();
    public static final ConfigKey<Duration> ROTATION_CHECK = ConfigKey.duration("sealstream.lifecycle.rotation-check",
            Duration.ofSeconds(60), "How often a pipeline asks the KMS for its KEKs' current versions, so that a KEK "
                    + "rotated elsewhere gets a new data key here.").positive();
    public static final ConfigKey<Boolean> JOB_RUNNER = ConfigKey.bool("sealstream.lifecycle.job-runner", true,
            "Whether pipeline instances run the re-wrap jobs submitted with `sealstream rotate --submit`.");
    public static final ConfigKey<Duration> JOB_POLL = ConfigKey.duration("sealstream.lifecycle.job-poll",
            Duration.ofSeconds(10), "How often a pipeline instance looks for submitted re-wrap jobs.").positive();
    public static final ConfigKey<String> ADMIN_TRANSACTIONAL_ID = ConfigKey.string(
                    "sealstream.lifecycle.admin-transactional-id", null,
                    "The one transactional id all key-lifecycle tools of a deployment share: a new tool fences an "
                            + "older one and aborts its open step.")
            .withDefaultText("`<application.id>-" + KafkaKeyAdminLog.DEFAULT_TRANSACTIONAL_ID_SUFFIX + "`");

    public static final ConfigKey<Duration> AUDIT_SEND_TIMEOUT = ConfigKey.duration("sealstream.audit.send-timeout",
            KafkaAuditLog.DEFAULT_SEND_TIMEOUT, "How long a writer of audit events outside the pipeline (a CLI command, "
                    + "a job) waits for the broker to acknowledge one before it fails.").positive();

    @Override
    public String title() {
        return "Key lifecycle";
    }

    @Override
    public String module() {
        return "sealstream-lifecycle";
    }

    @Override
    public String description() {
        return "Rotation, re-wrap jobs and shredding (docs/OPERATIONS.md).";
    }

    @Override
    public int order() {
        return 50;
    }

    public static final ConfigKey<io.sealstream.staging.StagingCleanupMode> STAGING_CLEANUP = ConfigKey.enumOf(
            "sealstream.staging.cleanup", io.sealstream.staging.StagingCleanupMode.class,
            io.sealstream.staging.StagingCleanupMode.DELETE, m -> m.name().toLowerCase(java.util.Locale.ROOT),
            "What becomes of a staged upload's plaintext once its ObjectEncrypted is committed: `delete` it (with a "
                    + "STAGING_DELETED audit event), `tag` it (`sealstream.staging.cleanup-tag`, for a lifecycle rule to "
                    + "expire; S3 stores only) or `keep` it (UNSAFE: plaintext stays at rest; warns at start).");
    public static final ConfigKey<String> STAGING_CLEANUP_TAG = ConfigKey.string("sealstream.staging.cleanup-tag",
            "sealstream-encrypted=true", "The `key=value` tag `sealstream.staging.cleanup=tag` puts on staging objects "
                    + "whose ciphertext is committed.");
    public static final ConfigKey<Duration> STAGING_RECONCILE_AGE = ConfigKey.duration(
            "sealstream.staging.reconcile-age", Duration.ofHours(1), "At start, once the cleaner has caught up, staging "
                    + "objects (in `sealstream.staging.buckets`) older than this that are still there are reported: "
                    + "uploads never announced, dead-lettered, or rewritten after encryption.").positive();

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(TOPIC_DEKS, TOPIC_COMMANDS, TOPIC_JOBS, REGISTRY_REFRESH, ROTATION_CHECK, JOB_RUNNER, JOB_POLL,
                ADMIN_TRANSACTIONAL_ID, AUDIT_SEND_TIMEOUT, STAGING_CLEANUP, STAGING_CLEANUP_TAG, STAGING_RECONCILE_AGE);
    }
}
