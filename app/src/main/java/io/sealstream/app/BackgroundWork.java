package io.sealstream.app;

import io.sealstream.keys.LifecycleConfigKeys;

import io.sealstream.events.RewrapJob;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.keys.RewrapJobRunner;
import io.sealstream.keys.kafka.KafkaKeyAdminLog;
import io.sealstream.kms.KekRef;
import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.objects.KeyReferences;
import io.sealstream.pipeline.PipelineConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the application's periodic work, each kind on a daemon thread of its own so that a slow one never
 * delays another (a long re-wrap job must not hold up dropping a shredded data key):
 * <ul>
 *   <li>{@code sealstream-dek-registry}: refreshes the DEK registry, so a data key shredded elsewhere leaves this
 *       instance's cache within {@code sealstream.lifecycle.registry-refresh} (5 s);</li>
 *   <li>{@code sealstream-key-lifecycle}: notices KEK rotations made elsewhere ({@code rotation-check}, 60 s) and runs
 *       re-wrap jobs submitted on the commands topic ({@code job-poll}, 10 s; {@code job-runner}, on);</li>
 *   <li>{@code sealstream-key-cache-sweeper}: retires idle cached data keys on time (the cache retires lazily);</li>
 *   <li>{@code sealstream-failover}: aborts transactions dead instances left open
 *       ({@code sealstream.failover.fence-abandoned-transactions}, every {@code check-interval}, 1 s).</li>
 * </ul>
 * Every task catches its own failures: a periodic task must never die silently.
 */
final class BackgroundWork implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundWork.class);
    private static final String LIFECYCLE = "sealstream-key-lifecycle";
    private static final String REGISTRY = "sealstream-dek-registry";
    private static final String SWEEPER = "sealstream-key-cache-sweeper";
    private static final String FAILOVER = "sealstream-failover";

    private final SealstreamRuntime runtime;
    private final Supplier<Optional<String>> processId;
    private final Map<String, ScheduledExecutorService> threads = new LinkedHashMap<>();
    private final Map<String, String> lastSeenVersions = new ConcurrentHashMap<>();
    private volatile long jobRunnerBackoffUntil;
    private RewrapJobRunner jobRunner;
    private volatile Admin fencerAdmin;

    /**
     * Starts the periodic work of the pipeline {@code runtime} serves; {@code processId} is this instance's Kafka
     * Streams process id once known; {@code fence} is false when this instance's client id hides process ids (see
     * {@link AbandonedTransactionFencer}).
     */
    BackgroundWork(final SealstreamRuntime runtime, final Supplier<Optional<String>> processId, final boolean fence) {
        this.runtime = runtime;
        this.processId = processId;
        final Map<String, String> config = runtime.settings();
        final Duration registryRefresh = LifecycleConfigKeys.REGISTRY_REFRESH.get(config);
        final Duration rotationCheck = LifecycleConfigKeys.ROTATION_CHECK.get(config);
        final Duration jobPoll = LifecycleConfigKeys.JOB_POLL.get(config);
        final boolean jobRunner = LifecycleConfigKeys.JOB_RUNNER.get(config);
        final Duration fenceEvery = AppConfigKeys.FAILOVER_CHECK_INTERVAL.get(config);
        every(REGISTRY, Duration.ZERO, registryRefresh, "DEK registry refresh", runtime.kafkaRegistry()::refresh);
        // The first check, at once, records the versions current at start; later ones notice rotations.
        every(LIFECYCLE, Duration.ZERO, rotationCheck, "rotation check", this::checkRotations);
        if (jobRunner) {
            every(LIFECYCLE, jobPoll, jobPoll, "re-wrap job runner", this::runPendingJobs);
        }
        every(SWEEPER, Duration.ofSeconds(30), Duration.ofSeconds(30), "key cache sweep", runtime.kms()::cleanUp);
        if (fence) {
            final FencerTask fencer = new FencerTask();
            every(FAILOVER, fenceEvery, fenceEvery, "abandoned-transaction check", fencer::run);
        }
    }

    private void every(final String thread, final Duration initialDelay, final Duration period, final String what,
                       final Runnable task) {
        threads.computeIfAbsent(thread, name -> Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        })).scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (final RuntimeException e) {
                LOG.warn("{} failed: {}", what, e.getMessage());
            }
        }, initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Notices KEK rotations made elsewhere (another tool, or the KMS's own schedule): the cached DEK of a rotated KEK is
     * retired so the next object gets a DEK under the new version, and a KEK_ROTATED event says this instance saw it.
     */
    private void checkRotations() {
        final PipelineConfig pipeline = runtime.pipeline();
        for (final String kekId : pipeline.keyPolicy().allKeks()) {
            try {
                final KekRef current = runtime.kms().describeKey(kekId).currentRef();
                final String seen = lastSeenVersions.put(kekId, current.version());
                if (seen != null && !seen.equals(current.version())) {
                    LOG.info("KEK {} was rotated to version {}; retiring its cached data key", kekId, current.version());
                    runtime.kms().retireActiveKey(kekId);
                    runtime.rotationEvents().publish(RotationEvent.newBuilder().setKind(RotationKind.KEK_ROTATED)
                            .setTime(Instant.now()).setService(pipeline.service())
                            .setKek(KeyReferences.of(current))
                            .setPreviousKek(KeyReferences.of(new KekRef(current.provider(), kekId, seen)))
                            .setMessage("observed by the pipeline").build());
                }
            } catch (final RuntimeException e) {
                LOG.debug("rotation check of KEK {} failed: {}", kekId, e.getMessage());
            }
        }
    }

    /** Runs re-wrap jobs submitted on the commands topic; a lifecycle tool that fences us makes us back off. */
    private void runPendingJobs() {
        if (System.currentTimeMillis() < jobRunnerBackoffUntil) {
            return;
        }
        final KafkaKeyAdminLog log = runtime.adminLog();
        try {
            for (final RewrapJob job : log.pendingJobs()) {
                LOG.info("running re-wrap job {} submitted by {}", job.getJobId(), job.getSubmittedBy());
                jobRunner().run(job);
            }
        } catch (final RuntimeException e) {
            jobRunnerBackoffUntil = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
            LOG.warn("re-wrap job runner paused for 2 minutes: {}", e.getMessage());
        } finally {
            log.releaseWriter();
        }
    }

    private synchronized RewrapJobRunner jobRunner() {
        if (jobRunner == null) {
            jobRunner = runtime.rewrapRunner(100, Duration.ZERO);
        }
        return jobRunner;
    }

    /** The fencer, created on its own thread: failing to create its admin client is retried, never fatal. */
    private final class FencerTask {
        private AbandonedTransactionFencer fencer;

        void run() {
            if (fencer == null) {
                fencerAdmin = Admin.create(ClientConfigs.admin(runtime.settings()));
                fencer = new AbandonedTransactionFencer(fencerAdmin, runtime.pipeline().applicationId(), Clock.systemUTC(),
                        processId);
            }
            fencer.check();
        }
    }

    /**
     * Stops every task; waits up to 60 s for a re-wrap step in progress (its open transaction is aborted when the
     * runtime closes the lifecycle log otherwise) and up to 10 s for a registry refresh.
     */
    @Override
    public void close() {
        threads.values().forEach(ScheduledExecutorService::shutdownNow);
        try {
            final ScheduledExecutorService lifecycle = threads.get(LIFECYCLE);
            final ScheduledExecutorService registry = threads.get(REGISTRY);
            if (lifecycle != null && !lifecycle.awaitTermination(60, TimeUnit.SECONDS)
                    || registry != null && !registry.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("a key-lifecycle task did not stop within 60 s; its open step is aborted when its log closes");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fencerAdmin != null) {
            fencerAdmin.close(Duration.ofSeconds(5));
        }
    }
}
