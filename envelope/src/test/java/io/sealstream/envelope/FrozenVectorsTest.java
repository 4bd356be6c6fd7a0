package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Objects written by format version 1 keep decrypting, and version 1 keeps writing exactly those bytes. */
class FrozenVectorsTest {

    @Test
    void everyFrozenVectorDecryptsToItsPlaintext() throws IOException {
        final List<FrozenVectors.Vector> vectors = FrozenVectors.load();
        assertThat(vectors).hasSize(5);
        for (final FrozenVectors.Vector v : vectors) {
            final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(w -> {
                assertThat(w).isEqualTo(v.wrapped());
                return v.dataKey();
            });
            assertThat(decryptor.decrypt(v.ciphertext(), v.context())).as(v.name()).isEqualTo(v.plaintext());
            assertThat(decryptor.decryptingStream(new ByteArrayInputStream(v.ciphertext()), v.context()).readAllBytes())
                    .as(v.name()).isEqualTo(v.plaintext());
            final EnvelopeHeader header = EnvelopeDecryptor.parseHeader(v.ciphertext());
            assertThat(header.formatVersion()).isEqualTo(1);
            assertThat(header.segmentSize()).isEqualTo(v.preset().segmentSize());
            assertThat(header.storedContext().isPresent()).isEqualTo(v.storeContext());
        }
    }

    @Test
    void theEncryptorStillProducesTheFrozenBytes() throws IOException {
        for (final FrozenVectors.Vector v : FrozenVectors.load()) {
            try (DataKey k = v.dataKey()) {
                assertThat(v.deterministicEncryptor().encrypt(k, v.plaintext(), v.context())).as(v.name())
                        .isEqualTo(v.ciphertext());
            }
        }
    }
}
