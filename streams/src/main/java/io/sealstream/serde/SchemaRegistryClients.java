package io.sealstream.serde;

import java.util.Map;

/** Creates the client that {@code schema.registry.url} names. */
public final class SchemaRegistryClients {

    private SchemaRegistryClients() {
    }

    /**
     * {@code mock://scope} → the scope's {@link MockSchemaRegistry}; http(s) URLs → a new
     * {@link RestSchemaRegistryClient}.
     *
     * @throws org.apache.kafka.common.config.ConfigException if the configs are invalid
     */
    public static SchemaRegistryClient create(final Map<String, ?> configs) {
        return create(new SchemaRegistrySerdeConfig(configs));
    }

    /** As {@link #create(Map)}, from a parsed config. */
    public static SchemaRegistryClient create(final SchemaRegistrySerdeConfig config) {
        return config.mockScope().<SchemaRegistryClient>map(MockSchemaRegistry::forScope)
                .orElseGet(() -> new RestSchemaRegistryClient(config));
    }
}
