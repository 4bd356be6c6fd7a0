package io.sealstream.kms;

import java.util.List;

/**
 * What the key-lifecycle tools need from a KMS: KEKs described, created, rotated, listed and destroyed. The data path
 * uses {@link DataKeyOperations} only (and {@link #describeKey} to notice rotations).
 */
public interface KeyAdministration {

    /** The provider's name as it appears in {@link KekRef#provider()}. */
    String providerName();

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
}
