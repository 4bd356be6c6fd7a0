package io.sealstream.pipeline.internals;

/**
 * A dependency (KMS, object store, schema registry) stayed unavailable for longer than one record may block. Thrown
 * out of the processor so Kafka Streams aborts the transaction and replaces the stream thread, which processes the
 * same record again from its last committed offset: back-pressure, nothing skipped, nothing dead-lettered.
 */
public final class TransientFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientFailureException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
