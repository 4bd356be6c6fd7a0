package io.sealstream.app;

import io.sealstream.keys.DekRegistry;
import io.sealstream.keys.KeyLifecycle;
import io.sealstream.keys.KeyTopics;
import io.sealstream.keys.LifecycleEvents;
import io.sealstream.keys.RewrapJobRunner;
import io.sealstream.keys.kafka.KafkaDekRegistry;
import io.sealstream.keys.kafka.KafkaKeyAdminLog;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * What the key-lifecycle commands ({@code rotate}, {@code shred}, {@code keys ... --config}, {@code get}) work with,
 * opened from the pipeline's own configuration: the KMS stack, the DEK registry, the lifecycle log and the object
 * store. The registry is read to its end on open.
 */
public final class KeyLifecycleTools implements AutoCloseable {

    private final Map<String, String> settings;
    private final PipelineConfig pipeline;
    private final KeyTopics keyTopics;
    private final CachingKeyManagementService kms;
    private final KafkaDekRegistry registry;
    private final ObjectStore store;
    private final LifecycleEvents events;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private KafkaKeyAdminLog adminLog;

    private KeyLifecycleTools(final Map<String, String> settings, final Map<String, String> environment,
                              final String actor, final String clientName) {
        this.settings = settings;
        this.pipeline = PipelineConfig.fromConfig(settings);
        this.keyTopics = KeyTopics.fromConfig(settings);
        try {
            TopicProvisioner.ensureLifecycleTopics(settings, pipeline, keyTopics);
            final io.sealstream.kms.KeyManagementService provider = KmsProviders.open(settings, environment);
            opened.push(provider);
            this.kms = KmsClients.standard(provider);
            opened.pop(); // the stack closes the provider from now on
            opened.push(kms);
            this.store = ObjectStores.fromConfig(settings);
            opened.push(store);
            this.registry = new KafkaDekRegistry(settings, keyTopics.deks(), pipeline.applicationId() + "-" + clientName);
            opened.push(registry);
            registry.refresh();
        } catch (final RuntimeException e) {
            close();
            throw e;
        }
        this.events = new LifecycleEvents(pipeline.applicationId() + "/" + clientName + "@" + pipeline.instanceId(), actor);
    }

    /** Opens everything; {@code clientName} names this tool in client ids and the service field of its events. */
    public static KeyLifecycleTools open(final Map<String, String> settings, final Map<String, String> environment,
                                         final String actor, final String clientName) {
        return new KeyLifecycleTools(settings, environment, actor, clientName);
    }

    public PipelineConfig pipeline() {
        return pipeline;
    }

    public Map<String, String> settings() {
        return settings;
    }

    public CachingKeyManagementService kms() {
        return kms;
    }

    public DekRegistry registry() {
        return registry;
    }

    public ObjectStore store() {
        return store;
    }

    public LifecycleEvents events() {
        return events;
    }

    /** The lifecycle log, opened on first use (its first write fences any other lifecycle tool). */
    public synchronized KafkaKeyAdminLog adminLog() {
        if (adminLog == null) {
            adminLog = new KafkaKeyAdminLog(settings, keyTopics, pipeline.topics().rotation(),
                    pipeline.topics().auditPending(), events.service().replace('/', '-'));
            opened.push(adminLog);
        }
        return adminLog;
    }

    public RewrapJobRunner rewrapRunner(final int batchSize, final Duration pause) {
        return new RewrapJobRunner(kms, registry, adminLog(), store, pipeline.destinationBucket(), events,
                Clock.systemUTC(), batchSize, pause);
    }

    public KeyLifecycle lifecycle() {
        return new KeyLifecycle(kms, registry, adminLog(), rewrapRunner(100, Duration.ZERO), events, Clock.systemUTC());
    }

    /** Shreds single objects; new DEKs it needs for the objects sharing the shredded one are registered. */
    public io.sealstream.keys.ObjectShredder objectShredder() {
        final io.sealstream.kms.KeyManagementService registering = new io.sealstream.keys.RegisteringKeyManagementService(
                kms, registry, events.service(), Clock.systemUTC());
        return new io.sealstream.keys.ObjectShredder(registering, registry, store, lifecycle(), adminLog(), events,
                Clock.systemUTC());
    }

    /** A pipeline instance's job runner: the lifecycle log it writes through and the runner. */
    record JobHost(KafkaKeyAdminLog log, RewrapJobRunner runner) {
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing key-lifecycle tools: " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
