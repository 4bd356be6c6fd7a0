package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.internal.SegmentCipher;
import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The ciphertext digest the pipeline announces in ObjectEncrypted: the writer's value equals what a keyless reader
 * recomputes from the stored bytes, and it changes when the header or any segment tag changes.
 */
class CiphertextDigestTest {

    /** The 4 KiB preset's segment size (a constant, for the annotation). */
    private static final int SEGMENT = 4096;
    private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "object-key", "a/b");
    private final TestKeys keys = new TestKeys();
    private final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(Preset.AES256_GCM_HKDF_SHA256_4KB, false);

    private record Written(byte[] object, byte[] digest) {
    }

    private Written write(final int size) throws IOException {
        final byte[] plaintext = new byte[size];
        new Random(size).nextBytes(plaintext);
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        final EncryptingOutputStream out;
        try (DataKey dek = keys.newDataKey()) {
            out = encryptor.encryptingStream(sink, dek, CONTEXT);
        }
        out.write(plaintext);
        out.close();
        return new Written(sink.toByteArray(), out.ciphertextDigest());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 7})
    void writerAndKeylessReaderAgree(final int size) throws IOException {
        final Written w = write(size);
        assertThat(w.digest()).hasSize(32);
        assertThat(EnvelopeDecryptor.ciphertextDigest(new ByteArrayInputStream(w.object()))).isEqualTo(w.digest());
    }

    @Test
    void digestIsShaOfHeaderAndTagsInOrder() throws Exception {
        final Written w = write(2 * SEGMENT + 100);
        final EnvelopeHeader header = EnvelopeDecryptor.parseHeader(w.object());
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(w.object(), 0, header.length());
        final int full = SEGMENT + SegmentCipher.TAG_BYTES;
        for (int end : new int[] {header.length() + full, header.length() + 2 * full, w.object().length}) {
            sha.update(w.object(), end - SegmentCipher.TAG_BYTES, SegmentCipher.TAG_BYTES);
        }
        assertThat(sha.digest()).isEqualTo(w.digest());
    }

    @Test
    void aChangedHeaderOrTagChangesTheDigest() throws IOException {
        final Written w = write(2 * SEGMENT + 100);
        final int headerLength = EnvelopeDecryptor.parseHeader(w.object()).length();
        final int[] positions = {headerLength - 1, headerLength + SEGMENT + 3, w.object().length - 1};
        for (int pos : positions) {
            final byte[] edited = w.object().clone();
            edited[pos] ^= 1;
            assertThat(EnvelopeDecryptor.ciphertextDigest(new ByteArrayInputStream(edited)))
                    .as("flip at %d", pos).isNotEqualTo(w.digest());
        }
    }

    @Test
    void truncatedObjectsAreRejectedAndExtendedOnesDoNotMatch() throws IOException {
        final Written w = write(SEGMENT + 10);
        final int headerLength = EnvelopeDecryptor.parseHeader(w.object()).length();
        assertThatThrownBy(() -> EnvelopeDecryptor.ciphertextDigest(
                new ByteArrayInputStream(Arrays.copyOf(w.object(), headerLength))))
                .isInstanceOf(MalformedEnvelopeException.class);
        final byte[] extended = Arrays.copyOf(w.object(), w.object().length + SEGMENT + 16 + 1);
        assertThat(EnvelopeDecryptor.ciphertextDigest(new ByteArrayInputStream(extended))).isNotEqualTo(w.digest());
    }

    @Test
    void theTestsSegmentConstantIsThePresets() {
        assertThat(SEGMENT).isEqualTo(Preset.AES256_GCM_HKDF_SHA256_4KB.segmentSize());
    }

    @Test
    void digestIsUnavailableBeforeClose() throws IOException {
        try (DataKey dek = keys.newDataKey()) {
            final EncryptingOutputStream out = encryptor.encryptingStream(new ByteArrayOutputStream(), dek, CONTEXT);
            assertThatThrownBy(out::ciphertextDigest).isInstanceOf(IllegalStateException.class);
            out.close();
            assertThat(out.ciphertextDigest()).hasSize(32);
        }
    }
}
