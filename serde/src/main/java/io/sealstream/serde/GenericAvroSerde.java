package io.sealstream.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for {@link GenericRecord}s in Confluent's wire format; records read back with their writer schema. One
 * registry client is shared by its serializer and deserializer and closed with the serde, unless it was passed in.
 */
public class GenericAvroSerde implements Serde<GenericRecord> {

    private final AvroSerializer<GenericRecord> serializer;
    private final AvroDeserializer<GenericRecord> deserializer;
    private final SchemaRegistryClient givenClient;
    private SchemaRegistryClient ownClient;

    /** The client comes from {@link #configure}. */
    public GenericAvroSerde() {
        this(null);
    }

    /** Uses this client (not closed by {@link #close()}), or creates one in {@link #configure} when null. */
    public GenericAvroSerde(final SchemaRegistryClient client) {
        this.givenClient = client;
        this.serializer = client == null ? new AvroSerializer<>() : new AvroSerializer<>(client);
        this.deserializer = new AvroDeserializer<>(client, null);
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        final SchemaRegistrySerdeConfig config = new SchemaRegistrySerdeConfig(configs);
        closeOwnClient();
        final SchemaRegistryClient client = givenClient != null ? givenClient : (ownClient = SchemaRegistryClients.create(config, configs));
        serializer.configure(config, isKey, client);
        deserializer.configure(config, isKey, client);
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
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
