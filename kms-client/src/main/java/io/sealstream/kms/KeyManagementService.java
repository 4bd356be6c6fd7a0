package io.sealstream.kms;

import java.util.List;

/**
 * The one interface every KMS provider implements and every decorator (cache, retry, metrics) wraps.
 * It is shaped after what real KMSs offer: AWS KMS GenerateDataKey/Decrypt/ReEncrypt, Vault Transit
 * datakey/decrypt/rewrap, PKCS#11 encrypt/decrypt under a token key, Hadoop KMS generate/decrypt/reencrypt EEK.
 *
 * <p>Ownership: every {@link DataKey} returned belongs to the caller, who must close it.
 * Errors: {@link KmsUnavailableException} when retrying may help, other {@link KmsException}s when not.
 * Implementations are thread-safe.
 */
public interface KeyManagementService extends AutoCloseable {

    /** The provider's name as it appears in {@link KekRef#provider()}, e.g. {@code local}. */
    String providerName();

    /** A new random AES-256 data key and its form wrapped under the current version of {@code kekId}. */
    DataKey generateDataKey(String kekId);

    /** The plaintext of a wrapped data key; fails with {@link KeyUnwrapException} if the KMS rejects it. */
    DataKey unwrap(WrappedDataKey wrapped);

    /**
     * The same data key wrapped under the current version of its KEK (server-side re-encrypt where the provider
     * has it). Keeps the DEK id. Returns the input unchanged when it already is under the current version.
     */
    WrappedDataKey rewrap(WrappedDataKey wrapped);

    KeyDescription describeKey(String kekId);

    /** Creates a new KEK with its first version; fails if it exists. */
    KeyDescription createKey(String kekId);

    /** Adds a new version that wraps new data keys from now on; older versions still unwrap. */
    KeyDescription rotateKey(String kekId);

    List<KeyDescription> listKeys();

    /**
     * Destroys one version of a KEK for good (crypto-shredding): data keys wrapped only under it can never be unwrapped
     * again, by anyone. Refuses the current version (rotate first). Destroying a version already gone is not an error.
     * Providers that cannot destroy single versions throw {@link UnsupportedKmsOperationException}.
     */
    default void destroyKeyVersion(final String kekId, final String version) {
        throw new UnsupportedKmsOperationException(providerName(), "destroying a single KEK version");
    }

    /**
     * Destroys a KEK with all its versions (crypto-shredding of everything ever wrapped under it). Later calls for
     * that key id fail with {@link KeyNotFoundException}. Providers that cannot throw
     * {@link UnsupportedKmsOperationException}.
     */
    default void destroyKey(final String kekId) {
        throw new UnsupportedKmsOperationException(providerName(), "destroying a KEK");
    }

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
