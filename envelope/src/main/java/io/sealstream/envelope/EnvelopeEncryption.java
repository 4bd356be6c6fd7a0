package io.sealstream.envelope;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DataKeyOperations;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Envelope encryption with a KMS: each object gets a data key from {@code kms} (normally the caching decorator, so
 * most objects cost no KMS call), which is used once for the object's key derivation and then destroyed. The
 * encrypted byte count is reported back so the cache can enforce its per-key byte limit.
 */
public final class EnvelopeEncryption {

    private final DataKeyOperations kms;
    private final EnvelopeEncryptor encryptor;
    private final EnvelopeDecryptor decryptor;

    public EnvelopeEncryption(final DataKeyOperations kms, final Preset preset, final boolean storeContext) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.encryptor = new EnvelopeEncryptor(preset, storeContext);
        this.decryptor = new EnvelopeDecryptor(kms::unwrap);
    }

    public EnvelopeEncryption(final DataKeyOperations kms) {
        this(kms, Preset.DEFAULT, false);
    }

    public EncryptingOutputStream encryptingStream(final OutputStream sink, final String kekId, final EncryptionContext context)
            throws IOException {
        try (DataKey dek = dataKey(kekId, context)) {
            final WrappedDataKey wrapped = dek.wrapped();
            return encryptor.encryptingStream(sink, dek, context, bytes -> kms.reportUsage(wrapped, bytes));
        }
    }

    public byte[] encrypt(final String kekId, final byte[] plaintext, final EncryptionContext context) throws EnvelopeKeyException {
        try (DataKey dek = dataKey(kekId, context)) {
            final byte[] out = encryptor.encrypt(dek, plaintext, context);
            kms.reportUsage(dek.wrapped(), plaintext.length);
            return out;
        }
    }

    public DecryptingInputStream decryptingStream(final InputStream source, final EncryptionContext context) throws IOException {
        return decryptor.decryptingStream(source, context);
    }

    public byte[] decrypt(final byte[] object, final EncryptionContext context) throws EnvelopeException {
        return decryptor.decrypt(object, context);
    }

    private DataKey dataKey(final String kekId, final EncryptionContext context) throws EnvelopeKeyException {
        try {
            return kms.generateDataKey(kekId, context.keyScope());
        } catch (final KmsException e) {
            throw new EnvelopeKeyException("cannot obtain a data key under KEK '" + kekId + "': " + e.getMessage(), e,
                    e.isTransient());
        }
    }
}
