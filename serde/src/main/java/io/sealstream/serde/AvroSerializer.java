package io.sealstream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) and Avro primitives in Confluent's wire format: magic byte 0, the
 * 4-byte big-endian schema id, the Avro binary body. {@code null} is written as {@code null}.
 *
 * <p>The subject comes from the configured {@link SubjectNameStrategy}. With {@code auto.register.schemas=true}
 * (default) the record's schema is registered; with false it must already be registered
 * ({@link SchemaNotFoundException} otherwise). With {@code use.latest.version=true} the subject's latest schema is
 * the writer schema and the record is converted to it (it must be able to read the record's schema).
 *
 * <p>Use the no-arg constructor plus {@link #configure} (as Kafka does), or pass a client.
 */
public class AvroSerializer<T> implements Serializer<T> {

    /** Confluent's magic byte. */
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus 4-byte schema id. */
    public static final int HEADER_SIZE = 5;

    private static final int MAX_CACHED = 1_000;

    private record SubjectSchema(String subject, Schema schema) {
    }

    private record WriterKey(Schema schema, Class<?> specificClass) {
    }

    private record Latest(RegisteredSchema schema, long fetchedNanos) {
    }

    private record Projection(Schema from, Schema to) {
    }

    private SchemaRegistryClient client;
    private boolean ownsClient;
    private SchemaRegistrySerdeConfig config;
    private boolean isKey;
    private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Latest> latest = new ConcurrentHashMap<>();
    private final ConcurrentMap<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Projection, String> projectionProblems = new ConcurrentHashMap<>();

    /** Kafka's path: the client comes from {@code schema.registry.url} in {@link #configure}. */
    public AvroSerializer() {
    }

    /** Uses this client (not closed by {@link #close()}); {@link #configure} still reads the other settings. */
    public AvroSerializer(final SchemaRegistryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Uses this client (not closed by {@link #close()}), configured. */
    public AvroSerializer(final SchemaRegistryClient client, final Map<String, ?> configs, final boolean isKey) {
        this(client);
        configure(configs, isKey);
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
        this.isKey = isKey;
        if (shared != null) {
            closeOwnedClient();
            this.client = shared;
        } else if (client == null || ownsClient) {
            closeOwnedClient();
            this.client = SchemaRegistryClients.create(config);
            this.ownsClient = true;
        }
        ids.clear();
        latest.clear();
    }

    @Override
    public byte[] serialize(final String topic, final T data) {
        if (data == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(configs, isKey) first");
        }
        final Schema schema = schemaOf(data);
        final String subject = config.subjectNameStrategy(isKey).subject(topic, isKey, schema);
        final int id;
        Schema writerSchema = schema;
        Object datum = data instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : data;
        if (config.useLatestVersion()) {
            final RegisteredSchema current = latest(subject);
            id = current.id();
            if (!current.schema().equals(schema)) {
                datum = project(datum, schema, current, subject);
                writerSchema = current.schema();
            }
        } else {
            id = id(subject, schema);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        try {
            write(datum, writerSchema, out);
        } catch (final IOException | RuntimeException e) {
            throw new SerializationException("Cannot write " + SerdeText.name(schema) + " for topic '" + topic
                    + "' as Avro: " + SerdeText.describe(e), e);
        }
        return out.toByteArray();
    }

    /**
     * Resolves now what the first {@link #serialize} of {@code schema} to {@code topic} would ask the registry (the id,
     * registering it if so configured, or the subject's latest version), so that a caller with time to spare (a tool
     * starting up) takes the round trip off its critical path. Throws what serialize would.
     */
    public void prepare(final String topic, final Schema schema) {
        if (config == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(configs, isKey) first");
        }
        final String subject = config.subjectNameStrategy(isKey).subject(topic, isKey, schema);
        if (config.useLatestVersion()) {
            latest(subject);
        } else {
            id(subject, schema);
        }
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

    private int id(final String subject, final Schema schema) {
        final SubjectSchema key = new SubjectSchema(subject, schema);
        final Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        final int id;
        if (config.autoRegisterSchemas()) {
            id = client.register(subject, schema);
        } else {
            try {
                id = client.getId(subject, schema);
            } catch (final SchemaNotFoundException e) {
                throw new SchemaNotFoundException("Schema " + SerdeText.name(schema) + " is not registered under subject '"
                        + subject + "' and auto.register.schemas=false: register it first (" + e.getMessage() + ")",
                        e.httpStatus(), e.errorCode(), e);
            }
        }
        if (ids.size() >= MAX_CACHED) {
            ids.clear();
        }
        ids.put(key, id);
        return id;
    }

    private RegisteredSchema latest(final String subject) {
        final Latest cached = latest.get(subject);
        final long ttl = config.latestCacheTtlSeconds();
        if (cached != null && (ttl < 0 || System.nanoTime() - cached.fetchedNanos() < ttl * 1_000_000_000L)) {
            return cached.schema();
        }
        final RegisteredSchema fresh = client.getLatest(subject);
        if (latest.size() >= MAX_CACHED) {
            latest.clear();
        }
        latest.put(subject, new Latest(fresh, System.nanoTime()));
        return fresh;
    }

    /** The record re-shaped to the latest schema, which must be able to read the record's own schema. */
    private Object project(final Object datum, final Schema own, final RegisteredSchema target, final String subject) {
        if (projectionProblems.size() >= MAX_CACHED) {
            projectionProblems.clear();
        }
        final String problem = projectionProblems.computeIfAbsent(new Projection(own, target.schema()),
                p -> CompatibilityLevels.readProblem(p.to(), p.from()).orElse(""));
        if (!problem.isEmpty()) {
            throw new IncompatibleSchemaException("use.latest.version: the latest schema of subject '" + subject + "' (id "
                    + target.id() + ", version " + target.version() + ") cannot represent a " + SerdeText.name(own)
                    + " record: " + problem);
        }
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            write(datum, own, bytes);
            return new GenericDatumReader<Object>(own, target.schema(), GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (final IOException | RuntimeException e) {
            throw new SerializationException("use.latest.version: cannot convert " + SerdeText.name(own) + " to the latest schema of subject '"
                    + subject + "': " + SerdeText.describe(e), e);
        }
    }

    private void write(final Object datum, final Schema schema, final ByteArrayOutputStream out) throws IOException {
        final Class<?> specific = datum instanceof SpecificRecord r && r.getSchema().equals(schema) ? datum.getClass() : null;
        if (writers.size() >= MAX_CACHED) {
            writers.clear();
        }
        final DatumWriter<Object> writer = writers.computeIfAbsent(new WriterKey(schema, specific), k -> k.specificClass() != null
                ? new SpecificDatumWriter<>(k.schema(), SpecificData.getForClass(k.specificClass()))
                : new GenericDatumWriter<>(k.schema(), GenericData.get()));
        final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(datum, encoder);
        encoder.flush();
    }

    /** The Avro schema of a record, enum, fixed or supported Java primitive. */
    static Schema schemaOf(final Object data) {
        if (data instanceof GenericContainer container) {
            return container.getSchema();
        }
        final Schema.Type type;
        if (data instanceof CharSequence) {
            type = Schema.Type.STRING;
        } else if (data instanceof Integer) {
            type = Schema.Type.INT;
        } else if (data instanceof Long) {
            type = Schema.Type.LONG;
        } else if (data instanceof Boolean) {
            type = Schema.Type.BOOLEAN;
        } else if (data instanceof Float) {
            type = Schema.Type.FLOAT;
        } else if (data instanceof Double) {
            type = Schema.Type.DOUBLE;
        } else if (data instanceof byte[] || data instanceof ByteBuffer) {
            type = Schema.Type.BYTES;
        } else {
            throw new SerializationException("Cannot serialize a " + data.getClass().getName()
                    + " as Avro: expected a GenericRecord, a SpecificRecord or an Avro primitive (String, Integer, Long, Boolean, Float, Double, byte[])");
        }
        return Schema.create(type);
    }
}
