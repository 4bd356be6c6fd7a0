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

    /** Makes a REST client report its attempts to the {@link DependencyHealth} under {@link #HEALTH}, if any. */
    static void observe(final SchemaRegistryClient client, final Map<String, ?> configs) {
        if (client instanceof RestSchemaRegistryClient rest && configs.get(HEALTH) instanceof DependencyHealth health) {
            rest.reportTo(health);
        }
    }

    /** As {@link #create(Map)}, from a parsed config. */
    public static SchemaRegistryClient create(final SchemaRegistrySerdeConfig config) {
        return config.mockScope().<SchemaRegistryClient>map(MockSchemaRegistry::forScope)
                .orElseGet(() -> new RestSchemaRegistryClient(config));
    }
}
