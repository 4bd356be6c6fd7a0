/**
 * Confluent Schema Registry compatible Avro serdes: the REST API and wire format (magic byte 0, 4-byte big-endian
 * schema id, Avro binary body) and Confluent's config keys, against Confluent, Apicurio ({@code /apis/ccompat/v7})
 * or Karapace, or an in-JVM {@code mock://scope} registry.
 *
 * <p>Entry points: {@link io.sealstream.serde.SpecificAvroSerde}, {@link io.sealstream.serde.GenericAvroSerde},
 * {@link io.sealstream.serde.AvroSerializer}, {@link io.sealstream.serde.AvroDeserializer} configured by
 * {@link io.sealstream.serde.SchemaRegistrySerdeConfig}; clients from
 * {@link io.sealstream.serde.SchemaRegistryClients#create}.
 *
 * <p>Failures are {@link io.sealstream.serde.SchemaRegistryException}s (Kafka {@code SerializationException}s):
 * <ul>
 * <li>{@link io.sealstream.serde.MalformedRecordException}: the bytes are not a framed Avro record
 * (dead-letter: MALFORMED_EVENT);</li>
 * <li>{@link io.sealstream.serde.SchemaNotFoundException}: unknown schema id, subject or schema
 * (dead-letter: UNKNOWN_SCHEMA);</li>
 * <li>{@link io.sealstream.serde.IncompatibleSchemaException}: compatibility rule violated, or the reader schema
 * cannot read the writer schema (dead-letter: UNKNOWN_SCHEMA);</li>
 * <li>{@link io.sealstream.serde.SchemaRegistryUnavailableException}: registry unreachable or failing after
 * retries, {@code isTransient()}: retry, never dead-letter;</li>
 * <li>a plain {@code SchemaRegistryException}: another permanent registry error (401, 403, 422...).</li>
 * </ul>
 */
package io.sealstream.serde;
