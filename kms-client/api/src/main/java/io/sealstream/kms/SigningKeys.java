package io.sealstream.kms;

import java.security.PublicKey;

/**
 * An optional role of a KMS provider: signing with asymmetric keys it holds, for audit checkpoints. The private key
 * never leaves the provider; callers get signatures and public keys. Found through the decorators with
 * {@link KeyManagementServiceDecorator#findRole}. Signature algorithm: Ed25519.
 *
 * <p>Signing keys are named and versioned like KEKs ({@link KekRef}): rotating the key id starts a new signing key,
 * and older versions keep verifying the checkpoints they signed.
 */
public interface SigningKeys {

    /** The algorithm of every signature, as JCA and the checkpoint format name it. */
    String ALGORITHM = "Ed25519";

    /**
     * Creates signing key {@code keyId} (its first version) and returns it; rotate it with
     * {@link KeyAdministration#rotateKey}. Fails if the id is taken.
     */
    KekRef createSigningKey(String keyId);

    /** The version that {@link #sign} uses now for {@code keyId}. */
    KekRef currentSigningKey(String keyId);

    /** The Ed25519 signature of {@code message} under exactly {@code key}. */
    byte[] sign(KekRef key, byte[] message);

    /** The public key of {@code key}, for verifiers. */
    PublicKey publicKey(KekRef key);
}
