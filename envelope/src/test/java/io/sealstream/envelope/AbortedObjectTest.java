package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A writer that abandons an object (e.g. its input failed a checksum) leaves bytes that can never decrypt. */
class AbortedObjectTest {

    private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");
    private final TestKeys keys = new TestKeys();

    @Test
    void anAbortedObjectNeverAuthenticatesAndTheStreamRefusesFurtherWrites() throws IOException {
        final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(Preset.AES256_GCM_HKDF_SHA256_4KB, false);
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        final EncryptingOutputStream out;
        try (DataKey dek = keys.newDataKey()) {
            out = encryptor.encryptingStream(sink, dek, CONTEXT);
        }
        out.write(new byte[3 * 4096 + 5]);
        out.abort();
        out.abort();

        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
        assertThatThrownBy(out::ciphertextDigest).isInstanceOf(IllegalStateException.class);
        final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
        assertThatThrownBy(() -> decryptor.decrypt(sink.toByteArray(), CONTEXT)).isInstanceOf(EnvelopeException.class);
        try (DecryptingInputStream in = decryptor.decryptingStream(new ByteArrayInputStream(sink.toByteArray()), CONTEXT)) {
            final byte[] buf = new byte[8192];
            assertThatThrownBy(() -> {
                while (in.read(buf) >= 0) {
                    // drain: the missing final segment must surface as an error, never as a clean end
                }
            }).isInstanceOf(EnvelopeException.class);
        }
        assertThat(sink.size()).isGreaterThan(3 * 4096);
    }
}
