package io.sealstream.serde;

/**
 * The registry could not be reached, timed out, or answered 5xx / 408 / 429 on every attempt. Transient: the
 * pipeline retries the record later and never dead-letters it for this.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(final String message, final int httpStatus, final int errorCode, final Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
