package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Property-based checks of the format: any size, any write/read chunking, any context. */
class EnvelopePropertiesTest {

    private final TestKeys keys = new TestKeys();

    @Property(tries = 200)
    void anyPlaintextRoundTripsWithAnyChunking(@ForAll("plaintexts") final byte[] plaintext,
                                               @ForAll @IntRange(min = 1, max = 20_000) final int writeChunk,
                                               @ForAll @IntRange(min = 1, max = 20_000) final int readChunk,
                                               @ForAll final Preset preset,
                                               @ForAll("contexts") final Map<String, String> context) throws IOException {
        final EncryptionContext ctx = EncryptionContext.of(context);
        final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(preset, false);
        final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
        try (DataKey dek = keys.newDataKey()) {
            final ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (EncryptingOutputStream out = encryptor.encryptingStream(sink, dek, ctx)) {
                for (int off = 0; off < plaintext.length; off += writeChunk) {
                    out.write(plaintext, off, Math.min(writeChunk, plaintext.length - off));
                }
                assertThat(out.plaintextBytes()).isLessThanOrEqualTo(plaintext.length);
            }
            final byte[] ct = sink.toByteArray();
            assertThat(decryptor.decrypt(ct, ctx)).isEqualTo(plaintext);

            final ByteArrayOutputStream back = new ByteArrayOutputStream();
            try (InputStream in = decryptor.decryptingStream(new ByteArrayInputStream(ct), ctx)) {
                final byte[] buf = new byte[readChunk];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    back.write(buf, 0, n);
                }
            }
            assertThat(back.toByteArray()).isEqualTo(plaintext);
        }
    }

    @Property(tries = 100)
    void twoEncryptionsOfTheSamePlaintextShareNoCiphertext(@ForAll @Size(min = 32, max = 2000) final byte[] plaintext) {
        try (DataKey dek = keys.newDataKey()) {
            final EnvelopeEncryptor encryptor = new EnvelopeEncryptor();
            final byte[] a = encryptor.encrypt(dek, plaintext, EncryptionContext.EMPTY);
            final byte[] b = encryptor.encrypt(dek, plaintext, EncryptionContext.EMPTY);
            final int bodyA = a.length - plaintext.length - 16;
            // Same DEK, same plaintext: different salt and nonce prefix, so the bodies must differ.
            assertThat(java.util.Arrays.copyOfRange(a, bodyA, a.length))
                    .isNotEqualTo(java.util.Arrays.copyOfRange(b, bodyA, b.length));
        }
    }

    @Property(tries = 100)
    void anyDifferentContextIsRejected(@ForAll("contexts") final Map<String, String> written,
                                       @ForAll("contexts") final Map<String, String> given) {
        final EncryptionContext w = EncryptionContext.of(written);
        final EncryptionContext g = EncryptionContext.of(given);
        try (DataKey dek = keys.newDataKey()) {
            final byte[] ct = new EnvelopeEncryptor().encrypt(dek, new byte[100], w);
            if (w.equals(g)) {
                return;
            }
            assertThatThrownBy(() -> new EnvelopeDecryptor(keys).decrypt(ct, g))
                    .isInstanceOf(EnvelopeAuthenticationException.class);
        }
    }

    @Property(tries = 300)
    void arbitraryBytesNeverDecryptAndOnlyFailAsEnvelopeErrors(@ForAll @Size(max = 3000) final byte[] garbage,
                                                               @ForAll final boolean withMagic) {
        final byte[] input = garbage.clone();
        if (withMagic && input.length >= 8) {
            input[0] = 'S';
            input[1] = 'E';
            input[2] = 'A';
            input[3] = 'L';
            input[4] = 1;
            input[5] = 1;
        }
        assertThatThrownBy(() -> new EnvelopeDecryptor(keys).decrypt(input, EncryptionContext.EMPTY))
                .isInstanceOf(EnvelopeException.class);
        assertThatThrownBy(() -> new EnvelopeDecryptor(keys).decryptingStream(new ByteArrayInputStream(input),
                EncryptionContext.EMPTY).readAllBytes())
                .isInstanceOf(EnvelopeException.class);
    }

    @Provide
    Arbitrary<byte[]> plaintexts() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMinSize(4000).ofMaxSize(70_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 300_000).map(n -> {
                    final byte[] b = new byte[n];
                    new java.util.Random(n).nextBytes(b);
                    return b;
                })));
    }

    @Provide
    Arbitrary<Map<String, String>> contexts() {
        final Arbitrary<String> keys = Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMinLength(1).ofMaxLength(20);
        final Arbitrary<String> values = Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(40);
        return Arbitraries.maps(keys, values).ofMaxSize(5);
    }

    @Property(tries = 50)
    void contextOrderDoesNotMatter(@ForAll @StringLength(min = 1, max = 10) final String a,
                                   @ForAll @StringLength(min = 1, max = 10) final String b) {
        if (a.equals(b)) {
            return;
        }
        assertThat(EncryptionContext.of(a, "1", b, "2").canonicalEncoding())
                .isEqualTo(EncryptionContext.of(b, "2", a, "1").canonicalEncoding());
    }
}
