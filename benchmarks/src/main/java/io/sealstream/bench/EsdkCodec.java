package io.sealstream.bench;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.CryptoMaterialsManager;
import com.amazonaws.encryptionsdk.CryptoResult;
import com.amazonaws.encryptionsdk.caching.CachingCryptoMaterialsManager;
import com.amazonaws.encryptionsdk.caching.LocalCryptoMaterialsCache;
import com.amazonaws.encryptionsdk.jce.JceMasterKey;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AWS Encryption SDK 3.x through its legacy master-key API: a raw AES-256 {@link JceMasterKey} behind a caching
 * materials manager whose limits are never reached, so that, like the sealstream contenders, no object pays for
 * wrapping a data key; what remains is the SDK's per-message work (key derivation, commitment, and for the signing
 * suite an ECDSA P-384 signature). Frames are the SDK's default 4 KiB.
 */
final class EsdkCodec implements OneShotCodec {

    /** The SDK's default suite: key commitment and an ECDSA P-384 signature per message. */
    static final CryptoAlgorithm SIGNING = CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
    /** Key commitment without the signature: the closest ESDK suite to the envelope format. */
    static final CryptoAlgorithm COMMITTING = CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

    private final AwsCrypto crypto;
    private final CryptoMaterialsManager materials;

    EsdkCodec(final CryptoAlgorithm algorithm) {
        crypto = AwsCrypto.builder()
                .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
                .withEncryptionAlgorithm(algorithm)
                .build();
        final JceMasterKey masterKey = JceMasterKey.getInstance(
                new SecretKeySpec(BenchFixtures.randomKeyBytes(32), "AES"), "bench", "kek", "AES/GCM/NoPadding");
        materials = CachingCryptoMaterialsManager.newBuilder()
                .withMasterKeyProvider(masterKey)
                .withCache(new LocalCryptoMaterialsCache(16))
                .withMaxAge(1, TimeUnit.DAYS)
                .withMessageUseLimit(1L << 32)
                .withByteUseLimit(Long.MAX_VALUE)
                .build();
    }

    @Override
    public byte[] encrypt(final byte[] plaintext) {
        return crypto.encryptData(materials, plaintext, BenchFixtures.CONTEXT_MAP).getResult();
    }

    @Override
    public byte[] decrypt(final byte[] ciphertext) {
        final CryptoResult<byte[], ?> result = crypto.decryptData(materials, ciphertext);
        // The SDK trusts the context stored in the message; checking it is the caller's job, as with sealstream's.
        if (!result.getEncryptionContext().entrySet().containsAll(BenchFixtures.CONTEXT_MAP.entrySet())) {
            throw new IllegalStateException("ESDK message carries a different encryption context");
        }
        return result.getResult();
    }
}
