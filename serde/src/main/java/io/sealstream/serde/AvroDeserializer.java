package io.sealstream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent's wire format: checks the magic byte and length, fetches the writer schema by id (cached), and
 * decodes the Avro body with the reader schema, so compatible schema evolution works in both directions.
 *
 * <ul>
 * <li>Reader schema: the class's schema when constructed with a {@link SpecificRecord} class; with
 * {@code specific.avro.reader=true} and no class, the generated class named by the writer schema; otherwise the
 * writer schema (generic records; a top-level string is a {@code String}, bytes a {@code byte[]}).</li>
 * <li>{@code null} → {@code null}. Errors: {@link MalformedRecordException} (too short, wrong magic byte, negative
 * id, body that does not decode, trailing bytes), {@link SchemaNotFoundException} (unknown id, or no class for the
 * writer schema), {@link IncompatibleSchemaException} (the reader schema cannot read the writer schema),
 * {@link SchemaRegistryUnavailableException} (registry down: retry).</li>
 * </ul>
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    private static final int MAX_CACHED = 1_000;

    /** How to read the records of one writer schema id, or why they cannot be read. */
    private record Plan(Schema writer, DatumReader<Object> reader, String problem) {
    }

    private final Class<T> specificClass;
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private SchemaRegistrySerdeConfig config;
    private final ConcurrentMap<Integer, Plan> plans = new ConcurrentHashMap<>();

    /** Kafka's path: generic (or {@code specific.avro.reader}); the client comes from {@link #configure}. */
    public AvroDeserializer() {
        this(null, null);
    }

    /** Uses this client (not closed by {@link #close()}). */
    public AvroDeserializer(final SchemaRegistryClient client) {
        this(Objects.requireNonNull(client, "client"), null);
    }

    /** Reads into this generated class; the client comes from {@link #configure}. */
    public AvroDeserializer(final Class<T> specificClass) {
        this(null, Objects.requireNonNull(specificClass, "specificClass"));
    }

    /**
     * @param client the registry client (not closed by {@link #close()}), or null to create one in
     *        {@link #configure}
     * @param specificClass a generated {@link SpecificRecord} class to read into, or null
     */
    public AvroDeserializer(final SchemaRegistryClient client, final Class<T> specificClass) {
        if (specificClass != null && !SpecificRecord.class.isAssignableFrom(specificClass)) {
            throw new IllegalArgumentException(specificClass.getName() + " is not an Avro SpecificRecord class");
        }
        this.client = client;
        this.specificClass = specificClass;
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        final SchemaRegistrySerdeConfig config = new SchemaRegistrySerdeConfig(configs);
        configure(config, isKey, null);
        SchemaRegistryClients.observe(client, configs);
    }

    /** For the serdes: a client they share between serializer and deserializer, or null to create one. */
    void configure(final SchemaRegistrySerdeConfig config, final boolean isKey, final SchemaRegistryClient shared) {
        GeneratedAvroTypes.trust();
        this.config = Objects.requireNonNull(config, "config");
        if (shared != null) {
            closeOwnedClient();
            this.client = shared;
        } else if (client == null || ownsClient) {
            closeOwnedClient();
            this.client = SchemaRegistryClients.create(config);
            this.ownsClient = true;
        }
        plans.clear();
    }

    @Override
    public T deserialize(final String topic, final byte[] data) {
        if (data == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure(configs, isKey) first");
        }
        if (data.length < AvroSerializer.HEADER_SIZE) {
            throw new MalformedRecordException(where(topic) + ": " + data.length + " bytes, shorter than the 5-byte header (magic byte 0 + schema id)");
        }
        if (data[0] != AvroSerializer.MAGIC_BYTE) {
            throw new MalformedRecordException(String.format("%s: unknown magic byte 0x%02x (expected 0x00: not written by a Confluent-compatible Avro serializer)",
                    where(topic), data[0] & 0xff));
        }
        final int id = ByteBuffer.wrap(data, 1, 4).getInt();
        if (id < 0) {
            throw new MalformedRecordException(where(topic) + ": negative schema id " + id);
        }
        final Plan plan = plan(topic, id);
        if (plan.problem() != null) {
            throw new IncompatibleSchemaException(where(topic) + ": " + plan.problem());
        }
        final BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, AvroSerializer.HEADER_SIZE, data.length - AvroSerializer.HEADER_SIZE, null);
        final Object value;
        try {
            value = plan.reader().read(null, decoder);
        } catch (final IOException | RuntimeException e) {
            throw new MalformedRecordException(where(topic) + ": the Avro body does not decode with writer schema id " + id + " ("
                    + SerdeText.name(plan.writer()) + "): " + SerdeText.describe(e), e);
        }
        final boolean atEnd;
        try {
            atEnd = decoder.isEnd();
        } catch (final IOException e) {
            throw new MalformedRecordException(where(topic) + ": cannot check for trailing bytes: " + SerdeText.describe(e), e);
        }
        if (!atEnd) {
            final int left = decoder.remainingBytes();
            throw new MalformedRecordException(where(topic) + ": " + (left > 0 ? left + " trailing bytes" : "trailing bytes")
                    + " after the Avro body of writer schema id " + id + " (" + SerdeText.name(plan.writer()) + ")");
        }
        @SuppressWarnings("unchecked")
        final T result = (T) topLevel(value);
        return result;
    }

    @Override
    public void close() {
        closeOwnedClient();
    }

    private void closeOwnedClient() {
        if (ownsClient && client != null) {
            client.close();
            client = null;
            ownsClient = false;
        }
    }

    private Plan plan(final String topic, final int id) {
        final Plan cached = plans.get(id);
        if (cached != null) {
            return cached;
        }
        final Schema writer;
        try {
            writer = client.getById(id);
        } catch (final SchemaNotFoundException e) {
            throw new SchemaNotFoundException(where(topic) + ": writer schema id " + id + " is unknown to the registry ("
                    + e.getMessage() + ")", e.httpStatus(), e.errorCode(), e);
        }
        final Plan plan = plan(id, writer);
        if (plans.size() >= MAX_CACHED) {
            plans.clear();
        }
        plans.put(id, plan);
        return plan;
    }

    private Plan plan(final int id, final Schema writer) {
        final Class<?> readerClass = specificClass != null ? specificClass : config.specificAvroReader() ? classFor(id, writer) : null;
        if (readerClass == null) {
            return new Plan(writer, new GenericDatumReader<>(writer, writer, GenericData.get()), null);
        }
        final SpecificData model = SpecificData.getForClass(readerClass);
        final Schema reader = model.getSchema(readerClass);
        final String problem = CompatibilityLevels.readProblem(reader, writer).orElse(null);
        if (problem != null) {
            return new Plan(writer, null, readerClass.getName() + " cannot read data written with schema id " + id + " ("
                    + SerdeText.name(writer) + "): " + problem);
        }
        return new Plan(writer, new SpecificDatumReader<>(writer, reader, model), null);
    }

    /** The generated class named by the writer schema, for {@code specific.avro.reader} without a class. */
    private static Class<?> classFor(final int id, final Schema writer) {
        if (writer.getType() != Schema.Type.RECORD) {
            return null; // primitives, enums and fixed read generically
        }
        final Class<?> found = SpecificData.get().getClass(writer);
        if (found == null || !SpecificRecord.class.isAssignableFrom(found)) {
            throw new SchemaNotFoundException("specific.avro.reader=true but no generated SpecificRecord class "
                    + writer.getFullName() + " is on the classpath for writer schema id " + id);
        }
        return found;
    }

    private static Object topLevel(final Object value) {
        if (value instanceof Utf8 utf8) {
            return utf8.toString();
        }
        if (value instanceof ByteBuffer buffer) {
            final byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        return value;
    }

    private static String where(final String topic) {
        return "Record on topic '" + topic + "'";
    }
}
