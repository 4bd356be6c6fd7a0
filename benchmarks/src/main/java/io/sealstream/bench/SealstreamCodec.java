package io.sealstream.bench;

import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryptor;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.DataKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The envelope format as the pipeline uses it: the data-key cache hands out a copy of its key per object and the
 * caller closes it, so every object pays for that copy here too. Unwrapping (a KMS call, cached) is not measured.
 */
final class SealstreamCodec implements OneShotCodec, StreamingCodec {

    private final DataKey cachedKey = BenchFixtures.newDataKey();
    private final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(Preset.DEFAULT, false);
    private final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(wrapped -> cachedKey.copy());

    @Override
    public byte[] encrypt(final byte[] plaintext) {
        try (DataKey key = cachedKey.copy()) {
            return encryptor.encrypt(key, plaintext, BenchFixtures.CONTEXT);
        }
    }

    @Override
    public byte[] decrypt(final byte[] ciphertext) throws IOException {
        return decryptor.decrypt(ciphertext, BenchFixtures.CONTEXT);
    }

    @Override
    public EncryptingOutputStream encryptingStream(final OutputStream sink) throws IOException {
        // The object key is derived when the stream is created, so the key copy is done with once it exists.
        try (DataKey key = cachedKey.copy()) {
            return encryptor.encryptingStream(sink, key, BenchFixtures.CONTEXT);
        }
    }

    @Override
    public InputStream decryptingStream(final InputStream ciphertext) throws IOException {
        return decryptor.decryptingStream(ciphertext, BenchFixtures.CONTEXT);
    }
}
