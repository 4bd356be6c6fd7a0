package io.sealstream.serde;

/**
 * The bytes are not a Confluent-framed Avro record: wrong magic byte, shorter than the 5-byte header, an Avro body
 * that does not decode with its writer schema, or bytes left over after the body. Permanent: the pipeline
 * dead-letters the record with reason {@code MALFORMED_EVENT}.
 */
public class MalformedRecordException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(final String message) {
        super(message);
    }

    public MalformedRecordException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
