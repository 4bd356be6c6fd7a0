package io.sealstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema-registry or wire-format failure. Every message is a single line and never contains credentials.
 *
 * <p>Subclasses tell the pipeline what to do with the record: {@link MalformedRecordException} and
 * {@link SchemaNotFoundException} / {@link IncompatibleSchemaException} are permanent (dead-letter the record),
 * {@link SchemaRegistryUnavailableException} is {@linkplain #isTransient() transient} (retry later). A plain
 * {@code SchemaRegistryException} is a permanent registry error such as HTTP 401, 403 or 422.
 */
public class SchemaRegistryException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** No HTTP status or Confluent {@code error_code} applies. */
    public static final int NONE = -1;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(final String message) {
        this(message, NONE, NONE, null);
    }

    public SchemaRegistryException(final String message, final Throwable cause) {
        this(message, NONE, NONE, cause);
    }

    public SchemaRegistryException(final String message, final int httpStatus, final int errorCode, final Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** True when the same call may succeed later (registry down or overloaded); false for permanent failures. */
    public boolean isTransient() {
        return false;
    }

    /** The registry's HTTP status (e.g. 404, 409), or {@link #NONE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's {@code error_code} (e.g. 40401 subject not found, 40403 schema not found), or {@link #NONE}. */
    public int errorCode() {
        return errorCode;
    }
}
