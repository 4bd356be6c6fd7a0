package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class StorePropertiesTest {

    private static final Path ROOT = Path.of("/srv/objects");
    private final FilesystemObjectStore store = new FilesystemObjectStore(ROOT);

    /** Any key either is rejected or names a file strictly inside its bucket directory, with no '.' or '..' in it. */
    @Property(tries = 2000)
    void aKeyNeverResolvesOutsideItsBucket(@ForAll("keys") final String key) {
        final ObjectLocation location = new ObjectLocation("bucket", key);
        final Path file;
        try {
            file = store.resolve(location);
        } catch (final IllegalArgumentException rejected) {
            assertThat(rejected).hasMessageStartingWith("object location rejected by the filesystem store");
            return;
        }
        final Path bucket = ROOT.resolve("bucket");
        assertThat(file.normalize()).isEqualTo(file);
        assertThat(file).startsWithRaw(bucket).isNotEqualTo(bucket);
        assertThat(bucket.relativize(file).toString()).isEqualTo(key);
        for (final Path segment : bucket.relativize(file)) {
            assertThat(segment.toString()).doesNotStartWith(FilesystemObjectStore.RESERVED_PREFIX);
        }
    }

    @Provide
    Arbitrary<String> keys() {
        final Arbitrary<String> tricky = Arbitraries.of("..", ".", "", "a", "b c", "...", ".hidden",
                        ".sealstream-tmp-1", "nul\0", "back\\slash", "caf\u00e9", "~", "C:", "%2e%2e", "\u2024\u2024")
                .list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join("/", parts));
        final Arbitrary<String> random = Arbitraries.strings().withChars("./\\\0ab").ofMinLength(1).ofMaxLength(12);
        return Arbitraries.oneOf(tricky, random, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20))
                .filter(k -> !k.isEmpty());
    }

    /**
     * The upload buffer is a FIFO: after any mix of writes and discards it holds exactly the bytes written and not
     * yet discarded, readable as often as wanted, and it allocates no more than its peak content plus two chunks.
     */
    @Property(tries = 300)
    void thePartBufferIsAFifoWithBoundedAllocation(@ForAll("operations") final List<Integer> operations)
            throws IOException {
        final PartBuffer buffer = new PartBuffer();
        byte[] expected = new byte[0];
        long peak = 0;
        int next = 0;
        for (final int op : operations) {
            if (op >= 0) {
                final byte[] data = new byte[op];
                for (int i = 0; i < op; i++) {
                    data[i] = (byte) (next++ * 31 + 7);
                }
                if (op == 1) {
                    buffer.write(data[0]);
                } else {
                    buffer.write(data, 0, op);
                }
                final ByteArrayOutputStream both = new ByteArrayOutputStream();
                both.write(expected);
                both.write(data);
                expected = both.toByteArray();
            } else {
                final int n = Math.min(-op, expected.length);
                buffer.discard(n);
                expected = Arrays.copyOfRange(expected, n, expected.length);
            }
            peak = Math.max(peak, expected.length);
            assertThat(buffer.size()).isEqualTo(expected.length);
            assertThat(buffer.open(expected.length).readAllBytes()).isEqualTo(expected);
            final int half = expected.length / 2;
            assertThat(buffer.open(half).readAllBytes()).isEqualTo(Arrays.copyOf(expected, half));
            assertThat(buffer.allocatedBytes()).isLessThanOrEqualTo(peak + 2L * PartBuffer.MAX_CHUNK);
        }
    }

    @Provide
    Arbitrary<List<Integer>> operations() {
        final Arbitrary<Integer> write = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 20_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(500_000, 1_500_000)));
        final Arbitrary<Integer> discard = Arbitraries.integers().between(1, 1_200_000).map(n -> -n);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, write), net.jqwik.api.Tuple.of(2, discard))
                .list().ofMaxSize(12);
    }
}
