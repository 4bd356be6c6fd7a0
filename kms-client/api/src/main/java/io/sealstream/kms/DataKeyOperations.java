package io.sealstream.kms;

/**
 * What the data path needs from a KMS: data keys made, unwrapped and re-wrapped under a KEK, nothing that changes the
 * KEKs themselves. The envelope format and the pipeline's encryption depend on this role only; key administration
 * ({@link KeyAdministration}) is the tools'.
 *
 * <p>Ownership: every {@link DataKey} returned belongs to the caller, who must close it. Errors:
 * {@link KmsUnavailableException} when retrying may help, other {@link KmsException}s when not. Implementations are
 * thread-safe.
 */
public interface DataKeyOperations extends AutoCloseable {

    /** The provider's name as it appears in {@link KekRef#provider()}, e.g. {@code local}. */
    String providerName();

    /**
     * A new random AES-256 data key and its form wrapped under the current version of {@code kekId}, bound to
     * {@code scope}: the KMS will unwrap it only when asked for the same scope.
     */
    DataKey generateDataKey(String kekId, KeyScope scope);

    /** {@link #generateDataKey(String, KeyScope)} of an unscoped key (one no tenant can read objects with). */
    default DataKey generateDataKey(final String kekId) {
        return generateDataKey(kekId, KeyScope.UNSCOPED);
    }

    /**
     * The plaintext of a wrapped data key, if it was made for {@code wrapped.scope()}; fails with
     * {@link KeyUnwrapException} if the KMS rejects it.
     */
    DataKey unwrap(WrappedDataKey wrapped);

    /**
     * The same data key wrapped under the current version of its KEK (server-side re-encrypt where the provider
     * has it). Keeps the DEK id and the scope. Returns the input unchanged when it already is under the current version.
     */
    WrappedDataKey rewrap(WrappedDataKey wrapped);

    /**
     * Tells usage-aware decorators (the data-key cache) how many plaintext bytes were encrypted with a data key
     * obtained from {@link #generateDataKey}. Providers ignore it; decorators pass it on.
     */
    default void reportUsage(final WrappedDataKey key, final long plaintextBytes) {
    }

    @Override
    default void close() {
    }
}
