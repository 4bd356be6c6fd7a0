package io.sealstream.app;

import io.sealstream.config.ConfigValues;
import io.sealstream.envelope.JitWarmup;
import java.io.IOException;

import io.sealstream.keys.DekRegistry;

import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.SealstreamTopology;
import io.sealstream.pipeline.TransientFailureException;
import io.sealstream.store.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.sealstream.serde.SchemaRegistryClients;
import java.util.Optional;
import java.util.Objects;
import java.util.function.Function;
import io.sealstream.pipeline.UploadWriter;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running pipeline: KMS stack, object store, rotation publisher and the Kafka Streams application, started
 * together and closed in reverse order.
 *
 * <p>Defaults it sets unless the configuration says otherwise: {@code processing.guarantee=exactly_once_v2},
 * {@code state.dir=data/state} (kept across restarts: the processed-uploads store lives there and a stable state
 * directory gives the instance stable transactional ids, so a restarted instance fences its predecessor at once),
 * {@code num.stream.threads} = number of processors, and a producer {@code transaction.timeout.ms} of 5 minutes so
 * that one large object never outlives its transaction.
 */
public final class SealstreamApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SealstreamApp.class);

    private final SealstreamRuntime runtime;
    private final PipelineConfig pipeline;
    private final KafkaStreams streams;
    private final BackgroundWork background;
    /** Null in {@code sealstream.staging.cleanup=keep} mode. */
    private final StagingCleanup stagingCleanup;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    /** Whether the streams have been RUNNING once: a later rebalance does not make the instance unready. */
    private volatile boolean hasRun;
    private final AppOperations operations;
    private final long warmupBytes;

    private SealstreamApp(final Map<String, String> config, final Map<String, String> environment,
                          final Function<ObjectStore, UploadWriter> uploadWriter) {
        // Every setting is read and checked before anything is opened, so a typo costs nothing to clean up.
        SealstreamRuntime.validate(config);
        this.pipeline = PipelineConfig.fromConfig(config);
        this.warmupBytes = AppConfigKeys.WARMUP_BYTES.get(config);
        final Properties streamsProps = streamsProperties(config);
        warnAboutUnsafeFailoverSettings(streamsProps, pipeline);
        pipeline.staging().unsafeSettings().forEach(w -> LOG.warn("unsafe setting: {}", w));
        StagingCleanup.validate(config);
        StaticMembership.apply(streamsProps, config, pipeline);
        this.runtime = SealstreamRuntime.forPipeline(config, environment);
        AppOperations ops = null;
        try {
            ops = new AppOperations(runtime);
            TopicProvisioner.requireRecordsFit(config, pipeline);
            final Map<String, Object> serdeConfig = new HashMap<>(config);
            serdeConfig.put(SchemaRegistryClients.HEALTH, runtime.registryHealth());
            final SealstreamTopology.Components components = new SealstreamTopology.Components(runtime.kms(),
                    runtime.store(), serdeConfig, Clock.systemUTC()).withMeters(ops.pipelineMeters());
            final Topology topology = SealstreamTopology.build(pipeline, uploadWriter == null ? components
                    : components.withUploadWriter(uploadWriter.apply(runtime.store())));
            this.streams = new KafkaStreams(topology, streamsProps);
        } catch (final RuntimeException e) {
            try {
                if (ops != null) {
                    ops.close();
                }
                runtime.close();
            } catch (final RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.operations = ops;
        final boolean fence = AppConfigKeys.FENCE_ABANDONED_TRANSACTIONS.get(config);
        if (fence && streamsProps.containsKey(StreamsConfig.CLIENT_ID_CONFIG)) {
            LOG.warn("client.id is set, so the process ids of other instances cannot be told from the group's "
                    + "members: transactions left open by a dead instance wait for transaction.timeout.ms");
        }
        this.background = new BackgroundWork(runtime, this::processId,
                fence && !streamsProps.containsKey(StreamsConfig.CLIENT_ID_CONFIG));
        this.stagingCleanup = StagingCleanup.start(config, runtime);
        streams.setUncaughtExceptionHandler(e -> {
            if (isTransient(e)) {
                LOG.warn("replacing a stream thread after a transient failure; its records will be retried: {}",
                        e.getMessage());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("stopping: unexpected failure in a stream thread", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((newState, oldState) -> {
            state = newState;
            hasRun |= newState == KafkaStreams.State.RUNNING;
            LOG.info("pipeline state {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.NOT_RUNNING || newState == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** This instance's Kafka Streams process id, read from a stream thread's consumer client id once one exists. */
    private Optional<String> processId() {
        try {
            for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
                final Optional<String> id = AbandonedTransactionFencer.processIdOfClient(pipeline.applicationId(),
                        thread.consumerClientId());
                if (id.isPresent()) {
                    return id;
                }
            }
        } catch (final RuntimeException notRunning) {
            // not started, or shutting down
        }
        return Optional.empty();
    }

    /** Builds and starts the pipeline. {@code environment} supplies the KMS passphrase (never the config file). */
    public static SealstreamApp start(final Map<String, String> config, final Map<String, String> environment) {
        return start(new SealstreamApp(config, environment, null));
    }

    /**
     * The pipeline with {@code uploadWriter} (given the runtime's store) in place of envelope encryption: only the
     * end-to-end benchmark's plaintext baseline uses this ({@link UploadWriter}); objects are then stored however that
     * writer stores them.
     */
    public static SealstreamApp start(final Map<String, String> config, final Map<String, String> environment,
                                      final Function<ObjectStore, UploadWriter> uploadWriter) {
        LOG.warn("the upload writer is replaced: objects are NOT envelope-encrypted by this instance");
        return start(new SealstreamApp(config, environment, Objects.requireNonNull(uploadWriter, "uploadWriter")));
    }

    private static SealstreamApp start(final SealstreamApp app) {
        LOG.info("starting sealstream {} with store {}", app.pipeline.service(), app.runtime.store().describe());
        try {
            app.operations.start(app.runtime, app.streams, app::isLive, app::isRunning);
            warmUp(app.pipeline.preset(), app.warmupBytes);
            app.streams.start();
        } catch (final RuntimeException e) {
            app.close(); // the endpoint, the probes and the runtime: nobody else holds the app to close it
            throw e;
        }
        return app;
    }

    /** Starts the JIT warm-up ({@link JitWarmup}) on a daemon thread, beside the group join it overlaps. */
    private static void warmUp(final io.sealstream.envelope.Preset preset, final long bytes) {
        if (bytes <= 0) {
            return;
        }
        final Thread t = new Thread(() -> {
            final long started = System.nanoTime();
            try {
                JitWarmup.run(preset, bytes);
                LOG.info("JIT warm-up: {} of throwaway data encrypted in {} ms", ConfigValues.formatSize(bytes),
                        (System.nanoTime() - started) / 1_000_000);
            } catch (final IOException | RuntimeException e) {
                LOG.warn("JIT warm-up failed (the first objects are encrypted more slowly): {}", e.toString());
            }
        }, "sealstream-jit-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * The Kafka Streams settings: the configuration's own keys over these defaults, chosen for exactly once and for
     * failover in seconds (docs/OPERATIONS.md, "Failover"):
     * <ul>
     *   <li>{@code processing.guarantee=exactly_once_v2}; {@code state.dir=data/state}, kept across restarts (it holds
     *       the processed-uploads store and the process id that names the transactional ids, so a restarted instance
     *       fences its own predecessor at once); {@code num.stream.threads} = processors;</li>
     *   <li>{@code session.timeout.ms=6000} (the broker's smallest by default) and {@code heartbeat.interval.ms=1500}:
     *       a dead instance leaves the group after 6 s instead of 45 s;</li>
     *   <li>{@code num.standby.replicas=1}: with two or more instances, a warm copy of each task's state is ready
     *       where the task moves;</li>
     *   <li>{@code transaction.timeout.ms=120000}: longer than a record may wait out an outage
     *       ({@code sealstream.retry.max-block}, 60 s) and long enough for objects of several GiB. It is only the
     *       fallback bound on how long a dead instance's open transaction blocks readers: survivors abort it as soon as
     *       the group has dropped the instance ({@code sealstream.failover.fence-abandoned-transactions}).</li>
     * </ul>
     * Static membership ({@code group.instance.id}) is added by {@link #start} from the state directory.
     */
    static Properties streamsProperties(final Map<String, String> config) {
        final Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sealstream");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("data", "state").toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, DEFAULT_SESSION_TIMEOUT_MS);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, DEFAULT_SESSION_TIMEOUT_MS / 4);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, DEFAULT_TRANSACTION_TIMEOUT_MS);
        // Kafka 5 turns this on by default; sealstream has no global stores, and saying so silences a start-up warning.
        props.put("processing.exception.handler.global.enabled", "true");
        config.forEach((k, v) -> {
            if (!k.startsWith("sealstream.")) {
                props.put(k, v);
            }
        });
        final Properties p = new Properties();
        p.putAll(props);
        return p;
    }

    /** Session timeout by default: the broker's {@code group.min.session.timeout.ms} default. */
    static final int DEFAULT_SESSION_TIMEOUT_MS = 6_000;
    /**
     * Transaction timeout by default: above {@code sealstream.retry.max-block} (60 s), so a record waiting out an
     * outage gives way before the broker aborts its transaction, and room for objects of several GiB (a 1 GiB object
     * took 17 s end to end here). Failover does not wait for it (the fencer aborts a dead instance's transactions).
     */
    static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 120_000;

    /** Start-up warnings for settings that make failover slow; each says what it costs. */
    private static void warnAboutUnsafeFailoverSettings(final Properties props, final PipelineConfig pipeline) {
        final Object timeout = props.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                props.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        if (timeout != null && Long.parseLong(String.valueOf(timeout).trim()) <= pipeline.retry().maxBlock().toMillis()) {
            LOG.warn("transaction.timeout.ms={} is not above sealstream.retry.max-block={}: a record waiting out an "
                    + "outage can have its transaction aborted under it, and is then redone", timeout,
                    pipeline.retry().maxBlock());
        }
        final long session = Long.parseLong(String.valueOf(props.getOrDefault(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                DEFAULT_SESSION_TIMEOUT_MS)));
        if (session > 15_000) {
            LOG.warn("session.timeout.ms={}: a dead instance's partitions stay idle that long before another takes "
                    + "them over", session);
        }
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)))) {
            LOG.warn("processing.guarantee={}: a crash can duplicate objects' events and audit records, or leave a gap "
                    + "in the audit chain; exactly_once_v2 is the safe setting",
                    props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        }
    }

    /**
     * A dependency that is down, anywhere in the cause chain: our own give-way signal, or a registry, KMS or store
     * outage surfacing elsewhere (e.g. serialising an output while the registry is unreachable).
     */
    static boolean isTransient(final Throwable e) {
        return TransientFailureException.isCauseOf(e);
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** Liveness: false once the stream threads are dead (ERROR, or stopped), when a supervisor should restart us. */
    boolean isLive() {
        final KafkaStreams.State s = state;
        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR
                && s != KafkaStreams.State.NOT_RUNNING;
    }

    /** The stream threads run: RUNNING, or rebalancing after having run (a rebalance is routine, not unreadiness). */
    boolean isRunning() {
        final KafkaStreams.State s = state;
        return s == KafkaStreams.State.RUNNING || hasRun && s == KafkaStreams.State.REBALANCING;
    }

    /** The operations endpoint's port, when it is enabled ({@code sealstream.ops.*}). */
    public java.util.OptionalInt operationsPort() {
        return operations.port();
    }

    /** The meters the endpoint serves (tests and embedders read them here). */
    public io.micrometer.core.instrument.MeterRegistry meters() {
        return operations.registry();
    }

    /** Waits until the pipeline is RUNNING (all tasks assigned and restored). */
    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (stopped.getCount() == 0) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Blocks until the pipeline stops (closed, or failed); returns true if it failed. */
    public boolean awaitStop() throws InterruptedException {
        stopped.await();
        return state == KafkaStreams.State.ERROR;
    }

    public boolean awaitStop(final Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public CachingKeyManagementService kms() {
        return runtime.kms();
    }

    public ObjectStore store() {
        return runtime.store();
    }

    public PipelineConfig pipeline() {
        return pipeline;
    }

    public DekRegistry registry() {
        return runtime.registry();
    }

    /** Stops the background work and the stream threads, then closes the runtime (the cache retires its keys first). */
    @Override
    public void close() {
        try {
            background.close();
            if (stagingCleanup != null) {
                stagingCleanup.close();
            }
            if (!streams.close(Duration.ofSeconds(60))) {
                LOG.warn("stream threads did not stop within 60 s; closing the KMS client and store under them");
            }
        } finally {
            try {
                operations.close();
                runtime.close();
            } finally {
                stopped.countDown();
            }
        }
    }
}
