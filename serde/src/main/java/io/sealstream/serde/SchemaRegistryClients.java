package io.sealstream.serde;

import io.sealstream.health.DependencyHealth;
import java.util.Map;

/** Creates the client that {@code schema.registry.url} names. */
public final class SchemaRegistryClients {

    /**
     * Config key whose value (an object, not a string: set by the application, never by a properties file) is the
     * {@link DependencyHealth} that REST clients report their attempts to.
     */
    public static final String HEALTH = "sealstream.internal.schema-registry-health";

    private SchemaRegistryClients() {
    }

    /**
     * {@code mock://scope} → the scope's {@link MockSchemaRegistry}; http(s) URLs → a new
     * {@link RestSchemaRegistryClient}.
     *
     * @throws org.apache.kafka.common.config.ConfigException if the configs are invalid
     */
    public static SchemaRegistryClient create(final Map<String, ?> configs) {
        return create(new SchemaRegistrySerdeConfig(configs), configs);
    }

    /**
     * As {@link #create(SchemaRegistrySerdeConfig)}; when {@code configs} carries a {@link DependencyHealth} under
     * {@link #HEALTH}, the client reports each HTTP attempt to it, so registry outages show in the log as they happen.
     */
    public static SchemaRegistryClient create(final SchemaRegistrySerdeConfig config, final Map<String, ?> configs) {
        final SchemaRegistryClient client = create(config);
        observe(client, configs);
        return client;
    }

    /**
     * The registry's health in this process, for REST clients whose configs carry none: the application's own
     * readers and writers of the key-lifecycle and audit topics build their serdes from the plain configuration.
     * Set by the application when it starts, cleared when it closes.
     */
    private static volatile DependencyHealth processHealth;

    public static void reportTo(final DependencyHealth health) {
        processHealth = health;
    }

    /** Clears the process-wide health if it is still {@code health}. */
    public static void stopReportingTo(final DependencyHealth health) {
        if (processHealth == health) {
            processHealth = null;
        }
    }

    /**
     * Makes a REST client report its attempts to the {@link DependencyHealth} under {@link #HEALTH}, or else to the
     * process's ({@link #reportTo}), if any.
     */
    static void observe(final SchemaRegistryClient client, final Map<String, ?> configs) {
        if (client instanceof RestSchemaRegistryClient rest) {
            final DependencyHealth health = configs.get(HEALTH) instanceof DependencyHealth given ? given : processHealth;
            if (health != null) {
                rest.reportTo(health);
            }
        }
    }

    /** As {@link #create(Map)}, from a parsed config. */
    public static SchemaRegistryClient create(final SchemaRegistrySerdeConfig config) {
        return config.mockScope().<SchemaRegistryClient>map(MockSchemaRegistry::forScope)
                .orElseGet(() -> new RestSchemaRegistryClient(config));
    }
}
