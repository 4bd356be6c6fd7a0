package io.sealstream.app;

import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.keys.LifecycleConfigKeys;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.staging.StagingCleaner;
import io.sealstream.staging.StagingCleanupMode;
import io.sealstream.staging.StagingCleanupService;
import io.sealstream.store.StoreConfigKeys;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the staging cleaner beside the pipeline ({@code sealstream.staging.cleanup}, default {@code delete}):
 * staged plaintext is removed once its ciphertext is committed (docs/ARCHITECTURE.md, "Staged plaintext").
 */
final class StagingCleanup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagingCleanup.class);

    private final StagingCleanupService service;
    private final KafkaAuditLog audit;

    private StagingCleanup(final StagingCleanupService service, final KafkaAuditLog audit) {
        this.service = service;
        this.audit = audit;
    }

    /** Checks the settings before anything opens: {@code tag} needs a store with tags. */
    static void validate(final Map<String, String> config) {
        if (LifecycleConfigKeys.STAGING_CLEANUP.get(config) == StagingCleanupMode.TAG
                && !"s3".equals(StoreConfigKeys.TYPE.get(config))) {
            throw new IllegalArgumentException(LifecycleConfigKeys.STAGING_CLEANUP.name() + "=tag needs an S3 store ("
                    + StoreConfigKeys.TYPE.name() + "=s3): a filesystem store has no object tags");
        }
        tag(config);
    }

    /** The cleaner, or null in {@code keep} mode (which warns: plaintext stays at rest). */
    static StagingCleanup start(final Map<String, String> config, final SealstreamRuntime runtime) {
        final StagingCleanupMode mode = LifecycleConfigKeys.STAGING_CLEANUP.get(config);
        if (mode == StagingCleanupMode.KEEP) {
            LOG.warn("unsafe setting: {}=keep: staged plaintext stays at rest in the staging store after it was "
                    + "encrypted", LifecycleConfigKeys.STAGING_CLEANUP.name());
            return null;
        }
        final PipelineConfig pipeline = runtime.pipeline();
        final KafkaAuditLog audit = KafkaAuditLog.open(config, pipeline.applicationId() + "-staging-cleaner");
        try {
            final StagingCleaner cleaner = new StagingCleaner(runtime.store(), audit, mode, tag(config),
                    pipeline.service(), Clock.systemUTC());
            return new StagingCleanup(StagingCleanupService.start(config, cleaner, runtime.store(),
                    new ArrayList<>(pipeline.staging().buckets()), LifecycleConfigKeys.STAGING_RECONCILE_AGE.get(config),
                    Clock.systemUTC()), audit);
        } catch (final RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    private static Map<String, String> tag(final Map<String, String> config) {
        final String text = LifecycleConfigKeys.STAGING_CLEANUP_TAG.get(config);
        final int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(LifecycleConfigKeys.STAGING_CLEANUP_TAG.name()
                    + ": must be key=value, got '" + text + "'");
        }
        return Map.of(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
    }

    StagingCleanupService service() {
        return service;
    }

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            audit.close();
        }
    }
}
