package io.sealstream.pipeline;

import io.sealstream.kms.KmsException;
import io.sealstream.serde.SchemaRegistryException;
import io.sealstream.store.ObjectStoreUnavailableException;

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

    /**
     * Whether a dependency that is down is anywhere in {@code e}'s cause chain: this give-way signal, or a registry,
     * KMS or store outage surfacing elsewhere (e.g. serialising an output while the registry is unreachable).
     */
    public static boolean isCauseOf(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransientFailureException || t instanceof ObjectStoreUnavailableException
                    || t instanceof SchemaRegistryException s && s.isTransient()
                    || t instanceof KmsException k && k.isTransient()) {
                return true;
            }
        }
        return false;
    }
}
