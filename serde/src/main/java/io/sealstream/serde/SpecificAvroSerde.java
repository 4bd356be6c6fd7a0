package io.sealstream.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for generated Avro classes in Confluent's wire format. Configuring it sets
 * {@code specific.avro.reader=true}. Constructed with the class, it reads into that class (the usual choice);
 * without, into the class named by each record's writer schema. One registry client is shared by its serializer and
 * deserializer and closed with the serde, unless it was passed in.
 */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    private final SchemaRegistryClient givenClient;
    private SchemaRegistryClient ownClient;

    /** Reads into the class each writer schema names; the client comes from {@link #configure}. */
    public SpecificAvroSerde() {
        this(null, null);
    }

    /** Reads into {@code type}; the client comes from {@link #configure}. */
    public SpecificAvroSerde(final Class<T> type) {
        this(null, type);
    }

    /**
     * @param client the registry client (not closed by {@link #close()}), or null to create one in {@link #configure}
     * @param type the class to read into, or null for the class each writer schema names
     */
    public SpecificAvroSerde(final SchemaRegistryClient client, final Class<T> type) {
        this.givenClient = client;
        this.serializer = client == null ? new AvroSerializer<>() : new AvroSerializer<>(client);
        this.deserializer = new AvroDeserializer<>(client, type);
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        final Map<String, Object> specific = new HashMap<>(configs);
        specific.put(SchemaRegistrySerdeConfig.SPECIFIC_AVRO_READER, true);
        final SchemaRegistrySerdeConfig config = new SchemaRegistrySerdeConfig(specific);
        closeOwnClient();
        final SchemaRegistryClient client = givenClient != null ? givenClient : (ownClient = SchemaRegistryClients.create(config, configs));
        serializer.configure(config, isKey, client);
        deserializer.configure(config, isKey, client);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
        closeOwnClient();
    }

    private void closeOwnClient() {
        if (ownClient != null) {
            ownClient.close();
            ownClient = null;
        }
    }
}
