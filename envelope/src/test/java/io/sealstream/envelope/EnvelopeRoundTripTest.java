package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every size at and around segment boundaries round-trips through both the streaming and the one-shot APIs. */
class EnvelopeRoundTripTest {

    private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "bucket", "invoices",
            "object-key", "2026/11/invoice-42.pdf");
    private final TestKeys keys = new TestKeys();

    static Stream<Arguments> sizes() {
        return Stream.of(Preset.values()).flatMap(p -> {
            final int s = p.segmentSize();
            return Stream.of(0, 1, s - 1, s, s + 1, 2 * s, 3 * s + 7).map(n -> Arguments.of(p, n));
        });
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("sizes")
    void streamingAndOneShotAgree(final Preset preset, final int size) throws IOException {
        final byte[] plaintext = randomBytes(size, size);
        final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(preset, false);
        final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
        try (DataKey dek = keys.newDataKey(CONTEXT.keyScope())) {
            final byte[] oneShot = encryptor.encrypt(dek, plaintext, CONTEXT);
            final byte[] streamed = encryptStreaming(encryptor, dek, plaintext, 1000);

            assertThat(oneShot).hasSameSizeAs(streamed);
            assertThat(decryptor.decrypt(oneShot, CONTEXT)).isEqualTo(plaintext);
            assertThat(decryptor.decrypt(streamed, CONTEXT)).isEqualTo(plaintext);
            assertThat(decryptStreaming(decryptor, oneShot, CONTEXT, 777)).isEqualTo(plaintext);
            assertThat(decryptStreaming(decryptor, streamed, CONTEXT, 1 << 20)).isEqualTo(plaintext);
        }
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("sizes")
    void ciphertextSizeIsHeaderPlusPlaintextPlusOneTagPerSegment(final Preset preset, final int size) {
        try (DataKey dek = keys.newDataKey(CONTEXT.keyScope())) {
            final byte[] ct = new EnvelopeEncryptor(preset, false).encrypt(dek, new byte[size], CONTEXT);
            final EnvelopeHeader header = EnvelopeDecryptor.parseHeader(ct);
            final int segments = size == 0 ? 1 : (size + preset.segmentSize() - 1) / preset.segmentSize();
            assertThat(ct.length).isEqualTo(header.length() + size + 16 * segments);
            assertThat(header.segmentSize()).isEqualTo(preset.segmentSize());
            assertThat(header.wrappedDataKey()).as("the header carries no scope: readers supply it")
                    .isEqualTo(dek.wrapped().withScope(io.sealstream.kms.KeyScope.UNSCOPED));
            assertThat(header.storedContext()).isEmpty();
        } catch (final MalformedEnvelopeException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("sizes")
    void storedContextLetsAReaderDecryptWithoutKnowingIt(final Preset preset, final int size) throws IOException {
        final byte[] plaintext = randomBytes(size, 99);
        try (DataKey dek = keys.newDataKey(CONTEXT.keyScope())) {
            final byte[] ct = new EnvelopeEncryptor(preset, true).encrypt(dek, plaintext, CONTEXT);
            assertThat(EnvelopeDecryptor.parseHeader(ct).storedContext()).contains(CONTEXT);
            final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
            assertThat(decryptor.decrypt(ct, null)).isEqualTo(plaintext);
            assertThat(decryptStreaming(decryptor, ct, null, 4096)).isEqualTo(plaintext);
        }
    }

    static byte[] randomBytes(final int size, final long seed) {
        final byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] encryptStreaming(final EnvelopeEncryptor encryptor, final DataKey dek, final byte[] plaintext,
                                   final int chunk) throws IOException {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (EncryptingOutputStream out = encryptor.encryptingStream(sink, dek, CONTEXT)) {
            for (int off = 0; off < plaintext.length; off += chunk) {
                out.write(plaintext, off, Math.min(chunk, plaintext.length - off));
            }
        }
        return sink.toByteArray();
    }

    static byte[] decryptStreaming(final EnvelopeDecryptor decryptor, final byte[] ciphertext, final EncryptionContext ctx,
                                   final int chunk) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = decryptor.decryptingStream(new ByteArrayInputStream(ciphertext), ctx)) {
            final byte[] buf = new byte[chunk];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }
}
