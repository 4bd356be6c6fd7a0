package io.sealstream.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the serdes need. Implementations: {@link RestSchemaRegistryClient}
 * (Confluent, Apicurio's {@code /apis/ccompat/v7}, Karapace) and {@link MockSchemaRegistry} ({@code mock://scope}).
 * All failures are {@link SchemaRegistryException}s.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers the schema under the subject, or returns its id if the subject already has it. The same schema
     * gets the same id under every subject.
     *
     * @throws IncompatibleSchemaException if the subject's compatibility level rejects it (HTTP 409)
     */
    int register(String subject, Schema schema);

    /**
     * The id of a schema already registered under the subject (no registration).
     *
     * @throws SchemaNotFoundException if the subject does not exist or does not have this schema
     */
    int getId(String subject, Schema schema);

    /**
     * The schema with this global id.
     *
     * @throws SchemaNotFoundException if no schema has this id
     */
    Schema getById(int id);

    /**
     * The subject's latest version.
     *
     * @throws SchemaNotFoundException if the subject does not exist
     */
    RegisteredSchema getLatest(String subject);

    /**
     * Whether registering the schema under the subject would pass the subject's compatibility level. True when
     * the subject has no version yet.
     */
    boolean isCompatible(String subject, Schema schema);

    /**
     * Sets the compatibility level of one subject, or the global default when {@code subject} is null.
     *
     * @param level NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE
     * @throws IllegalArgumentException for any other level
     */
    void setCompatibility(String subject, String level);

    /** The registry's subjects. */
    List<String> subjects();

    /** Releases resources; never throws. A scoped {@link MockSchemaRegistry} keeps its content. */
    @Override
    void close();
}
