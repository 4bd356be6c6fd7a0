package io.sealstream.app;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sealstream.app.ops.DependencyProbes;
import io.sealstream.app.ops.OperationsServer;
import io.sealstream.app.ops.OpsConfigKeys;
import io.sealstream.app.ops.SealstreamMeterBinder;
import io.sealstream.health.DependencyHealth;
import io.sealstream.pipeline.PipelineMeters;
import io.sealstream.serde.SchemaRegistryClient;
import io.sealstream.serde.SchemaRegistryClients;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The pipeline's operational surface: the input schema's registration for producers in other languages
 * ({@link InputSchemaRegistration}), one Prometheus registry with the topology's meters, the KMS stack's, re-wrap
 * progress, the JVM's and Kafka Streams' own (Micrometer's Kafka binder); the readiness probes; and the HTTP endpoint
 * serving them ({@code sealstream.ops.*}). Opened before the streams start, closed after they stop.
 */
final class AppOperations implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final PipelineMeters pipelineMeters;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private OperationsServer server;

    AppOperations(final SealstreamRuntime runtime) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", runtime.pipeline().applicationId());
        opened.push(registry::close);
        this.pipelineMeters = new PipelineMeters(registry);
        opened.push(SealstreamMeterBinder.bindJvm(registry)); // its GC listeners would keep the registry alive
        SealstreamMeterBinder.bindKms(registry, runtime.kms());
        SealstreamMeterBinder.bindRewrap(registry, runtime::rewrapProgress);
    }

    PipelineMeters pipelineMeters() {
        return pipelineMeters;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Binds Kafka Streams' metrics and, when {@code sealstream.ops.enabled}, starts the probes and the endpoint.
     *
     * @param streamsRunning whether the stream threads run (readiness); {@code live} whether the process should stay
     */
    void start(final SealstreamRuntime runtime, final KafkaStreams streams, final Supplier<Boolean> live,
               final Supplier<Boolean> streamsRunning) {
        final KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        opened.push(streamsMetrics);
        final Map<String, String> settings = runtime.settings();
        final Map<String, Object> withHealth = new java.util.HashMap<>(settings);
        withHealth.put(SchemaRegistryClients.HEALTH, runtime.registryHealth());
        opened.push(InputSchemaRegistration.start(withHealth, runtime.pipeline().topics().uploads()));
        if (!OpsConfigKeys.ENABLED.get(settings)) {
            return;
        }
        // Clients reporting to this runtime's registry health, not to whichever runtime of the JVM set the default.
        final Map<String, Object> registryConfig = new java.util.HashMap<>(settings);
        registryConfig.put(SchemaRegistryClients.HEALTH, runtime.registryHealth());
        final SchemaRegistryClient registryClient = SchemaRegistryClients.create(registryConfig);
        opened.push(registryClient);
        final Map<String, DependencyProbes.Probe> probes = new LinkedHashMap<>();
        probes.put("KMS", () -> runtime.provider().describeKey(runtime.pipeline().keyPolicy().defaultKek()));
        probes.put("object store", () -> runtime.store().list(runtime.pipeline().destinationBucket(), "", null, 1));
        probes.put("schema registry", registryClient::subjects);
        final DependencyProbes dependencyProbes = new DependencyProbes(runtime.monitor(), probes,
                OpsConfigKeys.PROBE_INTERVAL.get(settings));
        opened.push(dependencyProbes);
        server = OperationsServer.start(OpsConfigKeys.BIND_ADDRESS.get(settings), OpsConfigKeys.PORT.get(settings),
                registry, new OperationsServer.Health() {
                    @Override
                    public boolean live() {
                        return live.get();
                    }

                    @Override
                    public boolean streamsRunning() {
                        return streamsRunning.get();
                    }

                    @Override
                    public String streamsState() {
                        return streams.state().name();
                    }

                    @Override
                    public List<DependencyHealth> dependencies() {
                        return dependencyProbes.all();
                    }
                });
        opened.push(server);
    }

    /** The endpoint's port, once started with the endpoint enabled. */
    java.util.OptionalInt port() {
        return server == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(server.port());
    }

    @Override
    public void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                // closing for good: the next one still closes
            }
        }
    }
}
