package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.internal.HeaderCodec;
import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever an attacker with write access to the store does to an object, a reader gets an error and no plaintext
 * of any modified part. Uses 4 KiB segments so that a 3-segment object is small enough to flip every byte.
 */
class TamperDetectionTest {

    private static final Preset PRESET = Preset.AES256_GCM_HKDF_SHA256_4KB;
    private static final int SEGMENT = PRESET.segmentSize();
    private static final int FULL = SEGMENT + 16;
    private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "object-key", "a/b.bin");

    private final TestKeys keys = new TestKeys();
    private final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
    private DataKey dek;
    private byte[] plaintext;
    private byte[] ciphertext;
    private int headerLength;

    @BeforeEach
    void encryptThreeSegments() throws MalformedEnvelopeException {
        dek = keys.newDataKey();
        plaintext = EnvelopeRoundTripTest.randomBytes(2 * SEGMENT + 1000, 3);
        ciphertext = new EnvelopeEncryptor(PRESET, false).encrypt(dek, plaintext, CONTEXT);
        headerLength = EnvelopeDecryptor.parseHeader(ciphertext).length();
        assertThat(ciphertext.length).isEqualTo(headerLength + 3 * 16 + plaintext.length);
    }

    @Test
    void everySingleByteFlipIsRejected() {
        int rejected = 0;
        for (int i = 0; i < ciphertext.length; i++) {
            for (final int mask : new int[] {0x01, 0x80}) {
                final byte[] t = ciphertext.clone();
                t[i] ^= (byte) mask;
                assertRejected(t, "flip of bit " + mask + " at byte " + i);
                rejected++;
            }
        }
        assertThat(rejected).isEqualTo(2 * ciphertext.length);
    }

    @Test
    void everySingleByteFlipIsRejectedByTheStreamingReaderBeforeReleasingThatSegment() throws IOException {
        for (int i = 0; i < ciphertext.length; i += 7) {
            final byte[] t = ciphertext.clone();
            t[i] ^= 0x40;
            final int segmentOfFlip = i < headerLength ? -1 : (i - headerLength) / FULL;
            final ByteArrayOutputStream released = new ByteArrayOutputStream();
            try (InputStream in = decryptor.decryptingStream(new ByteArrayInputStream(t), CONTEXT)) {
                in.transferTo(released);
                throw new AssertionError("flip at byte " + i + " was not detected");
            } catch (final EnvelopeException expected) {
                // Only segments before the modified one may have been released, and they are genuine.
                final byte[] out = released.toByteArray();
                assertThat(out.length).isLessThanOrEqualTo(Math.max(0, segmentOfFlip) * SEGMENT);
                assertThat(out).isEqualTo(Arrays.copyOf(plaintext, out.length));
            }
        }
    }

    @Test
    void truncationAtEveryPositionIsRejected() {
        for (int cut = 0; cut < ciphertext.length; cut++) {
            assertRejected(Arrays.copyOf(ciphertext, cut), "truncation to " + cut + " bytes");
        }
    }

    @Test
    void truncationAtEverySegmentBoundaryIsRejected() {
        for (int k = 0; k <= 2; k++) {
            final int cut = headerLength + k * FULL;
            assertRejected(Arrays.copyOf(ciphertext, cut), "dropping segments after " + k);
        }
    }

    @Test
    void extensionIsRejected() {
        assertRejected(concat(ciphertext, new byte[] {0}), "one extra byte");
        assertRejected(concat(ciphertext, new byte[16]), "an extra empty tag");
        assertRejected(concat(ciphertext, segment(ciphertext, 0)), "a duplicated first segment appended");
    }

    @Test
    void swappedOrDuplicatedSegmentsAreRejected() {
        final byte[] header = Arrays.copyOf(ciphertext, headerLength);
        final byte[] s0 = segment(ciphertext, 0);
        final byte[] s1 = segment(ciphertext, 1);
        final byte[] s2 = segment(ciphertext, 2);
        assertRejected(concat(header, s1, s0, s2), "segments 0 and 1 swapped");
        assertRejected(concat(header, s0, s0, s2), "segment 0 duplicated over segment 1");
        assertRejected(concat(header, s0, s2), "segment 1 removed");
    }

    @Test
    void aHeaderMovedToAnotherObjectIsRejected() throws MalformedEnvelopeException {
        // Same DEK, same context, same size: only the per-object salt and nonce prefix differ.
        final byte[] other = new EnvelopeEncryptor(PRESET, false).encrypt(dek, plaintext, CONTEXT);
        final int otherHeader = EnvelopeDecryptor.parseHeader(other).length();
        assertThat(otherHeader).isEqualTo(headerLength);
        assertRejected(concat(Arrays.copyOf(other, otherHeader), Arrays.copyOfRange(ciphertext, headerLength, ciphertext.length)),
                "header of another object");
    }

    @Test
    void wrongContextIsRejected() {
        assertRejected(ciphertext, EncryptionContext.of("tenant", "acme", "object-key", "a/c.bin"));
        assertRejected(ciphertext, EncryptionContext.of("tenant", "acme"));
        assertRejected(ciphertext, EncryptionContext.EMPTY);
        assertThatThrownBy(() -> decryptor.decrypt(ciphertext, null))
                .isInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("wrong encryption context");
    }

    @Test
    void aDifferentDataKeyIsRejectedByTheKeyCommitment() {
        try (DataKey other = keys.newDataKey()) {
            final byte[] otherKeyBytes = other.copyKeyBytes();
            final EnvelopeDecryptor lying = new EnvelopeDecryptor(w -> new DataKey(otherKeyBytes.clone(), w));
            assertThatThrownBy(() -> lying.decrypt(ciphertext, CONTEXT))
                    .isInstanceOf(EnvelopeAuthenticationException.class)
                    .hasMessageContaining("key commitment");
        }
    }

    @Test
    void aStoredContextCanNotBeSwappedForAnother() throws MalformedEnvelopeException {
        final byte[] stored = new EnvelopeEncryptor(PRESET, true).encrypt(dek, plaintext, CONTEXT);
        final int at = indexOf(stored, "a/b.bin".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        stored[at + 2] = 'x'; // a/x.bin: same length, still canonical
        assertThat(EnvelopeDecryptor.parseHeader(stored).storedContext()).isPresent();
        assertRejected(stored, (EncryptionContext) null);
    }

    @Test
    void headerLengthsFromAnAttackerAreBounded() {
        final byte[] t = ciphertext.clone();
        t[6] = (byte) 0xff;
        t[7] = (byte) 0xff;
        assertThatThrownBy(() -> decryptor.decrypt(t, CONTEXT)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("header length");
        final byte[] u = ciphertext.clone();
        u[8] = 0x7f; // segment size near 2 GiB
        assertThatThrownBy(() -> decryptor.decrypt(u, CONTEXT)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("segment size");
        assertThat(HeaderCodec.MAX_HEADER_BYTES).isLessThanOrEqualTo(16 * 1024);
    }

    private void assertRejected(final byte[] tampered, final String what) {
        assertRejected(tampered, CONTEXT, what);
    }

    private void assertRejected(final byte[] tampered, final EncryptionContext ctx) {
        assertRejected(tampered, ctx, "context " + ctx);
    }

    private void assertRejected(final byte[] tampered, final EncryptionContext ctx, final String what) {
        try {
            final byte[] out = decryptor.decrypt(tampered, ctx);
            throw new AssertionError(what + " was accepted and released " + out.length + " bytes");
        } catch (final EnvelopeException expected) {
            assertThat(expected.getMessage()).as(what).doesNotContain("0x").isNotBlank();
        }
        try (InputStream in = decryptor.decryptingStream(new ByteArrayInputStream(tampered), ctx)) {
            in.readAllBytes();
            throw new AssertionError(what + " was accepted by the streaming reader");
        } catch (final IOException expected) {
            assertThat(expected).as(what).isInstanceOf(EnvelopeException.class);
        }
    }

    private byte[] segment(final byte[] ct, final int index) {
        final int start = headerLength + index * FULL;
        return Arrays.copyOfRange(ct, start, Math.min(ct.length, start + FULL));
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
