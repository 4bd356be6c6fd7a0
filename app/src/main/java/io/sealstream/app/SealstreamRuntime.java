package io.sealstream.app;

import io.sealstream.audit.kafka.KafkaRotationEvents;
import io.sealstream.config.ConfigRegistry;
import io.sealstream.health.DependencyHealth;
import io.sealstream.health.DependencyMonitor;
import io.sealstream.keys.DekRegistry;
import io.sealstream.keys.KeyLifecycle;
import io.sealstream.keys.KeyTopics;
import io.sealstream.keys.LifecycleEvents;
import io.sealstream.keys.ObjectShredder;
import io.sealstream.keys.RegisteringKeyManagementService;
import io.sealstream.keys.RewrapJobRunner;
import io.sealstream.keys.kafka.KafkaDekRegistry;
import io.sealstream.keys.kafka.KafkaKeyAdminLog;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheListener;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.RotationEvents;
import io.sealstream.pipeline.RotationListener;
import io.sealstream.serde.SchemaRegistryClients;
import io.sealstream.serde.SchemaRegistrySerdeConfig;
import io.sealstream.store.MonitoredObjectStore;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything sealstream opens against the outside world, wired one way for the pipeline ({@code run}) and for every
 * tool ({@code get}, {@code rotate}, {@code shred}, {@code keys ... --config}, the re-wrap jobs):
 * <ul>
 *   <li>the KMS provider named by the configuration, watched by the {@link DependencyMonitor}, under the standard stack
 *       (cache with the configured limits, retry, metrics), with every new data key recorded in the DEK registry before
 *       it is used, and every key the cache creates or retires announced on the rotation topic and in the registry;</li>
 *   <li>the DEK registry (a tool reads it to its end on open; the pipeline's background work does), the object store (watched), the rotation events publisher, and the
 *       lifecycle log (opened on first use);</li>
 *   <li>the lifecycle topics, created if the configuration allows.</li>
 * </ul>
 * A tool and the pipeline therefore cache, retry, register and announce keys alike: a data key a tool creates (a shred
 * re-encrypting siblings) is registered, announced and retired like one the pipeline creates.
 *
 * <p>Closed in reverse order of opening; the cache closes before the registry and the publisher, so its last
 * retirements still reach them.
 */
public final class SealstreamRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SealstreamRuntime.class);

    private final Map<String, String> settings;
    private final PipelineConfig pipeline;
    private final KeyTopics keyTopics;
    private final LifecycleEvents events;
    private final String clientName;
    private final DependencyMonitor monitor;
    private final DependencyHealth registryHealth;
    private final KeyManagementService provider;
    private final CachingKeyManagementService kms;
    private final KafkaDekRegistry registry;
    private final KafkaRotationEvents rotationEvents;
    private final ObjectStore store;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private KafkaKeyAdminLog adminLog;
    /** The last committed checkpoint of a re-wrap job run by this process (the metrics' progress), if any. */
    private final java.util.concurrent.atomic.AtomicReference<io.sealstream.events.RewrapJobState> rewrapProgress =
            new java.util.concurrent.atomic.AtomicReference<>();

    private SealstreamRuntime(final Map<String, String> settings, final Map<String, String> environment,
                              final String service, final String actor, final String clientName,
                              final boolean readRegistryNow) {
        // Every setting is read and checked before anything is opened, so a typo costs nothing to clean up.
        this.settings = settings;
        this.pipeline = PipelineConfig.fromConfig(settings);
        this.keyTopics = KeyTopics.fromConfig(settings);
        this.clientName = clientName;
        final var cacheConfig = KmsProviders.cacheConfig(settings);
        final var storeConfig = ObjectStores.configFrom(settings);
        this.events = new LifecycleEvents(service, actor);
        this.monitor = DependencyMonitor.fromConfig(settings);
        opened.push(monitor);
        // The URLs as the serde config keeps them: user info (URL-style credentials) stripped.
        this.registryHealth = monitor.dependency("schema registry ("
                + String.join(", ", new SchemaRegistrySerdeConfig(settings).urls()) + ")");
        // Every registry client of this process (DEK registry, rotation events, jobs, the topology) reports to it.
        SchemaRegistryClients.reportTo(registryHealth);
        opened.push(() -> SchemaRegistryClients.stopReportingTo(registryHealth));
        java.util.concurrent.CompletableFuture<Void> kafkaReady = null;
        try {
            final KeyManagementService opening = KmsProviders.open(settings, environment);
            this.provider = new MonitoredKeyManagementService(opening,
                    monitor.dependency("KMS (" + opening.providerName() + ")"));
            opened.push(provider);
            this.rotationEvents = new KafkaRotationEvents(settings, pipeline.topics().rotation(),
                    clientId("rotation"));
            opened.push(rotationEvents);
            this.registry = new KafkaDekRegistry(settings, keyTopics.deks(), clientId("registry"));
            opened.push(registry);
            // The broker round trips (topics, then the registry's read for a tool) run beside the KMS and store
            // set-up below, which are CPU work: a tool such as get starts in about half the time.
            kafkaReady = Background.supply("sealstream-runtime-open", () -> {
                final List<String> created = TopicProvisioner.ensureLifecycleTopics(settings, pipeline, keyTopics);
                if (!created.isEmpty()) {
                    LOG.info("created topics {}", created);
                }
                if (readRegistryNow) {
                    registry.refresh();
                }
                return null;
            });
            final RotationListener announcer = new RotationListener(rotationEvents, service, Clock.systemUTC());
            this.kms = KmsClients.builder(new RegisteringKeyManagementService(provider, registry, service,
                            Clock.systemUTC()))
                    .cacheConfig(cacheConfig)
                    .listener(new DataKeyCacheListener() {
                        @Override
                        public void onDataKeyCreated(final WrappedDataKey key) {
                            announcer.onDataKeyCreated(key);
                        }

                        @Override
                        public void onDataKeyRetired(final WrappedDataKey key, final RetireReason reason) {
                            announcer.onDataKeyRetired(key, reason);
                            registry.markRetired(key.dekId(), key.kek(), Clock.systemUTC().instant(), service);
                        }
                    })
                    .build();
            opened.push(kms);
            // A DEK shredded elsewhere must stop encrypting here at once: drop it from the cache.
            registry.onShredded(entry -> kms.forgetDataKey(entry.getDekId()));
            final ObjectStore rawStore = ObjectStores.create(storeConfig);
            this.store = new MonitoredObjectStore(rawStore,
                    monitor.dependency("object store (" + rawStore.describe() + ")"));
            opened.push(store);
            Background.await(kafkaReady);
        } catch (final RuntimeException e) {
            if (kafkaReady != null) {
                kafkaReady.exceptionally(ignored -> null).join(); // its clients are closed below
            }
            close();
            throw e;
        }
    }

    /**
     * Checks {@code settings} against the declared keys (docs/CONFIGURATION.md) and reports every problem at once, one
     * line each: unknown {@code sealstream.*} keys (with the nearest declared name) and values that do not parse.
     * Everything that starts sealstream calls it before reading any setting.
     *
     * @throws io.sealstream.config.ConfigValidationException listing the problems
     */
    public static void validate(final Map<String, String> settings) {
        ConfigRegistry.load().validate(settings);
    }

    /** The pipeline's runtime: its events name the pipeline's service as service and actor. */
    public static SealstreamRuntime forPipeline(final Map<String, String> settings,
                                                final Map<String, String> environment) {
        validate(settings);
        final PipelineConfig pipeline = PipelineConfig.fromConfig(settings);
        // The pipeline does not wait for the registry: its background refresh reads it at once and keeps retrying, so
        // an instance (re)started while the schema registry is down comes up and waits for it (back-pressure).
        return new SealstreamRuntime(settings, environment, pipeline.service(), pipeline.service(), null, false);
    }

    /**
     * A tool's runtime, opened from the pipeline's own configuration; {@code clientName} names the tool in client ids
     * and in the service field of its events ({@code <application.id>/<clientName>@<instance>}), {@code actor} is who
     * runs it.
     */
    public static SealstreamRuntime forTool(final Map<String, String> settings, final Map<String, String> environment,
                                            final String actor, final String clientName) {
        validate(settings);
        final PipelineConfig pipeline = PipelineConfig.fromConfig(settings);
        return new SealstreamRuntime(settings, environment,
                pipeline.applicationId() + "/" + clientName + "@" + pipeline.instanceId(), actor, clientName, true);
    }

    /** {@code <application.id>-<what>} for the pipeline, {@code <application.id>-<tool>-<what>} for a tool. */
    private String clientId(final String what) {
        return pipeline.applicationId() + (clientName == null ? "" : "-" + clientName) + "-" + what;
    }

    public PipelineConfig pipeline() {
        return pipeline;
    }

    public Map<String, String> settings() {
        return settings;
    }

    public KeyTopics keyTopics() {
        return keyTopics;
    }

    /** The KMS stack every data key comes from and goes back to. */
    public CachingKeyManagementService kms() {
        return kms;
    }

    public DekRegistry registry() {
        return registry;
    }

    /** The registry's Kafka view, for the background refresh. */
    KafkaDekRegistry kafkaRegistry() {
        return registry;
    }

    public ObjectStore store() {
        return store;
    }

    public RotationEvents rotationEvents() {
        return rotationEvents;
    }

    public LifecycleEvents events() {
        return events;
    }

    /** The last committed checkpoint of a re-wrap job this process ran, if any. */
    public java.util.Optional<io.sealstream.events.RewrapJobState> rewrapProgress() {
        return java.util.Optional.ofNullable(rewrapProgress.get());
    }

    /** The KMS provider as the dependency monitor watches it: no cache, no retries (the readiness probe's KMS). */
    KeyManagementService provider() {
        return provider;
    }

    DependencyMonitor monitor() {
        return monitor;
    }

    DependencyHealth registryHealth() {
        return registryHealth;
    }

    /** The lifecycle log, opened on first use (its first write fences any other lifecycle tool). */
    public synchronized KafkaKeyAdminLog adminLog() {
        if (adminLog == null) {
            adminLog = new KafkaKeyAdminLog(settings, keyTopics, pipeline.topics().rotation(),
                    pipeline.topics().auditPending(), clientName == null ? clientId("jobs")
                            : events.service().replace('/', '-'));
            opened.push(adminLog);
        }
        return adminLog;
    }

    public RewrapJobRunner rewrapRunner(final int batchSize, final Duration pause) {
        return new RewrapJobRunner(kms, registry, adminLog(), store, pipeline.destinationBucket(), events,
                Clock.systemUTC(), batchSize, pause).onProgress(rewrapProgress::set);
    }

    public KeyLifecycle lifecycle() {
        return new KeyLifecycle(kms, registry, adminLog(), rewrapRunner(100, Duration.ZERO), events, Clock.systemUTC());
    }

    /** Shreds single objects; the new data key it needs for the objects sharing the shredded one is registered. */
    public ObjectShredder objectShredder() {
        return new ObjectShredder(kms, registry, store, lifecycle(), adminLog(), events, Clock.systemUTC());
    }

    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the sealstream runtime: " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
