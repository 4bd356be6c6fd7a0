package io.sealstream.serde;

/**
 * The registry does not know the schema id, subject, version or (subject, schema) pair (HTTP 404 with
 * {@code error_code} 40401 subject, 40402 version or 40403 schema not found), or a specific reader class for the
 * writer schema is missing. Permanent: the pipeline dead-letters the record with reason {@code UNKNOWN_SCHEMA}.
 */
public class SchemaNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    /** Confluent: subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent: version not found. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Confluent: schema not found. */
    public static final int SCHEMA_NOT_FOUND = 40403;

    public SchemaNotFoundException(final String message) {
        super(message);
    }

    public SchemaNotFoundException(final String message, final int httpStatus, final int errorCode, final Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
