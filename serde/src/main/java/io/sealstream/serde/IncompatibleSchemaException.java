package io.sealstream.serde;

/**
 * A schema breaks the subject's compatibility rule (HTTP 409 on registration), or a record's writer schema cannot
 * be read with the reader schema (e.g. a value written with an unrelated record schema). Permanent.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(final String message) {
        super(message);
    }

    public IncompatibleSchemaException(final String message, final int httpStatus, final int errorCode, final Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
