package io.sealstream.bench;

import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/** Tink's {@link StreamingAead} (AES-GCM-HKDF, per-object key from a random salt), the context as associated data. */
final class TinkCodec implements StreamingCodec {

    /** 4 KiB segments: Tink's recommended template. */
    static final String AES256_GCM_HKDF_4KB = "AES256_GCM_HKDF_4KB";
    /** 1 MiB segments: Tink's large-object template. */
    static final String AES256_GCM_HKDF_1MB = "AES256_GCM_HKDF_1MB";

    static {
        try {
            StreamingAeadConfig.register();
        } catch (final GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final StreamingAead aead;

    TinkCodec(final String keyTemplate) throws GeneralSecurityException {
        final KeysetHandle keyset = KeysetHandle.generateNew(KeyTemplates.get(keyTemplate));
        aead = keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    }

    @Override
    public OutputStream encryptingStream(final OutputStream sink) throws GeneralSecurityException, IOException {
        return aead.newEncryptingStream(sink, BenchFixtures.CONTEXT_BYTES);
    }

    @Override
    public InputStream decryptingStream(final InputStream ciphertext) throws GeneralSecurityException, IOException {
        return aead.newDecryptingStream(ciphertext, BenchFixtures.CONTEXT_BYTES);
    }
}
