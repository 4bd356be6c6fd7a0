package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Range reads (what the S3 gateway serves): any range of any object decrypts to exactly those plaintext bytes, reads
 * from the store only the segments the range lies in, and releases nothing from a tampered, cut or extended object.
 */
class RangeReadPropertiesTest {

    private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "bucket", "b", "object-key", "k");
    private final TestKeys keys = new TestKeys();

    /** A store that serves byte ranges of one array and remembers what was asked. */
    private static final class Ranges implements RandomAccessEnvelope.RangeSource {
        final byte[] object;
        final List<long[]> asked = new ArrayList<>();

        Ranges(final byte[] object) {
            this.object = object;
        }

        @Override
        public InputStream open(final long offset, final long length) {
            asked.add(new long[] {offset, length});
            final int from = (int) Math.min(offset, object.length);
            return new ByteArrayInputStream(object, from, (int) Math.min(length, object.length - from));
        }

        long fetchedBeyondPrefix(final long prefix) {
            return asked.stream().filter(a -> a[0] >= prefix).mapToLong(a -> a[1]).sum();
        }
    }

    private byte[] encrypt(final byte[] plaintext, final Preset preset) {
        try (DataKey dek = keys.newDataKey(CONTEXT.keyScope())) {
            return new EnvelopeEncryptor(preset, false).encrypt(dek, plaintext, CONTEXT);
        }
    }

    @Provide
    Arbitrary<byte[]> plaintexts() {
        return Arbitraries.integers().between(0, 300_000).edgeCases(e -> e.add(0).add(4096).add(65_536).add(131_072))
                .map(n -> {
                    final byte[] b = new byte[n];
                    for (int i = 0; i < n; i++) {
                        b[i] = (byte) (i * 31 + (i >>> 8));
                    }
                    return b;
                });
    }

    @Property(tries = 300)
    void anyRangeDecryptsToExactlyThosePlaintextBytes(@ForAll("plaintexts") final byte[] plaintext,
                                                      @ForAll final Preset preset,
                                                      @ForAll @IntRange(min = 0, max = 1_000_000) final int startSeed,
                                                      @ForAll @IntRange(min = 0, max = 1_000_000) final int lengthSeed)
            throws IOException {
        final byte[] object = encrypt(plaintext, preset);
        final Ranges ranges = new Ranges(object);
        final RandomAccessEnvelope env = new EnvelopeDecryptor(keys).openRandomAccess(ranges, object.length, CONTEXT);
        assertThat(env.plaintextSize()).isEqualTo(plaintext.length);
        final int start = plaintext.length == 0 ? 0 : startSeed % plaintext.length;
        final int length = (plaintext.length - start) == 0 ? 0 : lengthSeed % (plaintext.length - start + 1);
        try (InputStream in = env.read(start, length)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(plaintext, start, start + length));
        }
    }

    @Property(tries = 100)
    void aReadWithinTheOpeningStreamAsksTheStoreNothingMore(@ForAll("plaintexts") final byte[] plaintext,
                                                            @ForAll @IntRange(min = 0, max = 1_000_000) final int seed)
            throws IOException {
        final byte[] object = encrypt(plaintext, Preset.DEFAULT);
        final Ranges ranges = new Ranges(object);
        // the whole object opened at once (a GET without a range): the header and every segment come from it
        try (RandomAccessEnvelope env = new EnvelopeDecryptor(keys).openRandomAccess(
                new ByteArrayInputStream(object), object.length, ranges, object.length, CONTEXT)) {
            final int start = plaintext.length == 0 ? 0 : seed % plaintext.length;
            try (InputStream in = env.read(start, plaintext.length - start)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(plaintext, start, plaintext.length));
            }
        }
        assertThat(ranges.asked).isEmpty();
    }

    @Test
    void theLastByteOfALargeObjectReadsAboutOneSegment() throws IOException {
        final byte[] plaintext = new byte[8 * 1024 * 1024];
        Arrays.fill(plaintext, (byte) 7);
        plaintext[plaintext.length - 1] = 42;
        final byte[] object = encrypt(plaintext, Preset.DEFAULT);
        final Ranges ranges = new Ranges(object);
        final RandomAccessEnvelope env = new EnvelopeDecryptor(keys).openRandomAccess(ranges, object.length, CONTEXT);
        try (InputStream in = env.read(plaintext.length - 1, 1)) {
            assertThat(in.readAllBytes()).containsExactly(42);
        }
        final long fetched = ranges.asked.stream().mapToLong(a -> a[1]).sum();
        // the header fetch (with the first segment) plus the last segment: nowhere near 8 MiB
        assertThat(fetched).isLessThan(3 * (Preset.DEFAULT.segmentSize() + 16L) + 2048);
        assertThat(ranges.asked.get(ranges.asked.size() - 1)[0] + ranges.asked.get(ranges.asked.size() - 1)[1])
                .isEqualTo(object.length);
    }

    @Test
    void aTamperedSegmentReleasesNothingOfIt() throws IOException {
        final int seg = Preset.DEFAULT.segmentSize();
        final byte[] plaintext = new byte[seg * 3];
        final byte[] object = encrypt(plaintext, Preset.DEFAULT);
        final EnvelopeHeader header = EnvelopeDecryptor.parseHeader(object);
        final SegmentLayout layout = SegmentLayout.of(header, object.length);
        object[(int) layout.segmentOffset(1) + 5] ^= 1;
        final RandomAccessEnvelope env = new EnvelopeDecryptor(keys).openRandomAccess(new Ranges(object), object.length, CONTEXT);
        // segment 0 is intact and served; segment 1 is not
        try (InputStream in = env.read(0, seg)) {
            assertThat(in.readAllBytes()).hasSize(seg);
        }
        try (InputStream in = env.read(seg + 10, 5)) {
            assertThatThrownBy(in::read).isInstanceOf(EnvelopeAuthenticationException.class);
        }
        try (InputStream in = env.read(0, plaintext.length)) {
            final byte[] buf = new byte[seg * 3];
            final int first = in.readNBytes(buf, 0, seg);
            assertThat(first).isEqualTo(seg);
            assertThatThrownBy(() -> in.readNBytes(buf, seg, seg)).isInstanceOf(EnvelopeAuthenticationException.class);
        }
    }

    @Test
    void aCutOrExtendedObjectFailsItsLastSegment() throws IOException {
        final int seg = Preset.DEFAULT.segmentSize();
        final byte[] object = encrypt(new byte[seg * 2 + 100], Preset.DEFAULT);
        final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(keys);
        // cut at a segment boundary: the new last segment was written as non-last
        final int cut = (int) SegmentLayout.of(EnvelopeDecryptor.parseHeader(object), object.length).segmentOffset(2);
        final byte[] truncated = Arrays.copyOf(object, cut);
        final RandomAccessEnvelope t = decryptor.openRandomAccess(new Ranges(truncated), truncated.length, CONTEXT);
        try (InputStream in = t.read(t.plaintextSize() - 1, 1)) {
            assertThatThrownBy(in::read).isInstanceOf(EnvelopeAuthenticationException.class);
        }
        // a whole extra segment appended: the real last segment is read as non-last
        final byte[] extended = Arrays.copyOf(object, object.length + seg + 16);
        final RandomAccessEnvelope x = decryptor.openRandomAccess(new Ranges(extended), extended.length, CONTEXT);
        try (InputStream in = x.read(seg * 2L, 100)) {
            assertThatThrownBy(in::read).isInstanceOf(EnvelopeAuthenticationException.class);
        }
        // a size the format cannot have
        assertThatThrownBy(() -> decryptor.openRandomAccess(new Ranges(object), object.length - 110, CONTEXT))
                .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("truncated");
    }

    @Test
    void aWrongContextIsRefusedBeforeAnySegmentIsFetched() throws IOException {
        final byte[] object = encrypt(new byte[200_000], Preset.DEFAULT);
        final Ranges ranges = new Ranges(object);
        final EncryptionContext other = EncryptionContext.of("tenant", "acme", "bucket", "b", "object-key", "other");
        assertThatThrownBy(() -> new EnvelopeDecryptor(keys).openRandomAccess(ranges, object.length, other))
                .isInstanceOf(EnvelopeAuthenticationException.class);
        assertThat(ranges.asked).hasSize(1);
    }

    @Test
    void anEmptyObjectVerifiesItsOnlySegment() throws IOException {
        final byte[] object = encrypt(new byte[0], Preset.DEFAULT);
        final RandomAccessEnvelope env = new EnvelopeDecryptor(keys).openRandomAccess(new Ranges(object), object.length, CONTEXT);
        assertThat(env.plaintextSize()).isZero();
        try (InputStream in = env.read(0, 0)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        object[object.length - 1] ^= 1;
        final RandomAccessEnvelope bad = new EnvelopeDecryptor(keys).openRandomAccess(new Ranges(object), object.length, CONTEXT);
        try (InputStream in = bad.read(0, 0)) {
            assertThatThrownBy(in::read).isInstanceOf(EnvelopeAuthenticationException.class);
        }
    }
}
