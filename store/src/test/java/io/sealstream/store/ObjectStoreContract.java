package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ObjectStore} promises, run against each implementation. Subclasses provide a fresh store per
 * test, a bucket that exists, and the store's part size (content sizes are chosen around it: for the filesystem store
 * it is just a size).
 */
abstract class ObjectStoreContract {

    /** The store under test; the subclass creates it before each test and closes it after. */
    protected abstract ObjectStore store();

    protected abstract String bucket();

    protected abstract int partSize();

    private String prefix;

    @BeforeEach
    void uniquePrefix() {
        prefix = "contract-" + UUID.randomUUID() + "/";
    }

    protected ObjectLocation at(final String key) {
        return new ObjectLocation(bucket(), prefix + key);
    }

    @ParameterizedTest(name = "{0} parts {1} bytes")
    @CsvSource({"0, 0", "0, 1", "1, -1", "1, 0", "1, 1", "3, 17"})
    void contentOfEverySizeAroundPartBoundariesRoundTrips(final int parts, final int delta) throws IOException {
        final long size = (long) parts * partSize() + delta;
        final TestContent content = new TestContent(size, size);
        final ObjectLocation location = at("sized-" + size + ".bin");

        final StoredObject stored = store().put(location, Map.of("size", Long.toString(size)), content::writeTo);

        assertThat(stored.size()).isEqualTo(size);
        assertThat(stored.location()).isEqualTo(location);
        assertThat(store().head(location)).hasValueSatisfying(h -> assertThat(h.size()).isEqualTo(size));
        assertThat(TestContent.read(store().get(location))).isEqualTo(new TestContent.Read(size, content.sha256()));
    }

    @Test
    void metadataRoundTripsThroughPutAndHead() throws IOException {
        final Map<String, String> metadata = Map.of(
                "sealstream-kek", "tenant-acme/v3",
                "sealstream-digest", "q1+/RmV0Y2g=",
                "content-length-plain", "12345",
                "empty", "",
                "punctuation", "a b=c;d,e:f\"g'h<i>j{k}l~");
        final ObjectLocation location = at("with-metadata");

        final StoredObject stored = store().put(location, metadata, out -> out.write(1));

        assertThat(stored.metadata()).isEqualTo(metadata);
        assertThat(store().head(location)).hasValue(new StoredObject(location, 1, metadata));
    }

    @Test
    void listingIsSortedPrefixedResumableAndBounded() throws IOException {
        for (final String key : new String[] {"b/2", "a", "b/1", "c", "b/10", "é"}) {
            store().put(at(key), Map.of(), out -> out.write(1));
        }
        store().put(new ObjectLocation(bucket(), "elsewhere-" + UUID.randomUUID()), Map.of(), out -> out.write(1));

        assertThat(store().list(bucket(), prefix, null, 100))
                .containsExactly(prefix + "a", prefix + "b/1", prefix + "b/10", prefix + "b/2", prefix + "c", prefix + "é");
        assertThat(store().list(bucket(), prefix + "b/", null, 100))
                .containsExactly(prefix + "b/1", prefix + "b/10", prefix + "b/2");
        assertThat(store().list(bucket(), prefix, prefix + "b/10", 2)).containsExactly(prefix + "b/2", prefix + "c");
        assertThat(store().list(bucket(), prefix, prefix + "é", 100)).isEmpty();
        assertThat(store().list("no-such-bucket-" + UUID.randomUUID(), "", null, 10)).isEmpty();
    }

    @Test
    void aRangeReadReturnsExactlyThoseBytesAndStopsAtTheEnd() throws IOException {
        final ObjectLocation location = at("ranged");
        final byte[] content = new byte[partSize() + 1000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + (i >>> 9));
        }
        store().put(location, Map.of(), out -> out.write(content));
        try (java.io.InputStream in = store().get(location, 0, 10)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 0, 10));
        }
        try (java.io.InputStream in = store().get(location, content.length - 1, 1)) {
            assertThat(in.readAllBytes()).containsExactly(content[content.length - 1]);
        }
        try (java.io.InputStream in = store().get(location, partSize() - 5, 600)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, partSize() - 5, partSize() + 595));
        }
        try (java.io.InputStream in = store().get(location, content.length - 3, 100)) {
            assertThat(in.readAllBytes()).hasSize(3); // cut at the end: the caller sees fewer bytes
        }
        try (java.io.InputStream in = store().get(location, 5, 0)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> store().get(at("never-written"), 0, 10)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aReadTellsTheWholeObjectsSizeAndMetadataWithItsContent() throws IOException {
        final ObjectLocation location = at("read-with-info");
        final byte[] content = new byte[5000];
        java.util.Arrays.fill(content, (byte) 3);
        content[4999] = 9;
        store().put(location, Map.of("sealstream-note", "kept"), out -> out.write(content));
        try (ObjectStore.ObjectRead whole = store().read(location, 0, -1)) {
            assertThat(whole.object().size()).isEqualTo(5000);
            assertThat(whole.object().metadata()).containsEntry("sealstream-note", "kept");
            assertThat(whole.content().readAllBytes()).isEqualTo(content);
        }
        try (ObjectStore.ObjectRead head = store().read(location, 0, 100_000)) { // more than there is
            assertThat(head.object().size()).isEqualTo(5000);
            assertThat(head.content().readAllBytes()).isEqualTo(content);
        }
        try (ObjectStore.ObjectRead tail = store().read(location, 4990, 10)) {
            assertThat(tail.object().size()).isEqualTo(5000);
            assertThat(tail.object().metadata()).containsEntry("sealstream-note", "kept");
            assertThat(tail.content().readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 4990, 5000));
        }
        assertThatThrownBy(() -> store().read(at("never-written"), 0, -1)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void headOfAMissingObjectIsEmpty() throws IOException {
        assertThat(store().head(at("never-written"))).isEmpty();
        assertThat(store().head(new ObjectLocation("no-such-bucket-" + UUID.randomUUID(), "x"))).isEmpty();
    }

    @Test
    void getOfAMissingObjectThrowsObjectNotFound() {
        final ObjectLocation location = at("never-written");
        assertThatThrownBy(() -> store().get(location))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(location.toUri());
    }

    @Test
    void deleteRemovesTheObjectAndDeletingAMissingOneIsFine() throws IOException {
        final ObjectLocation location = at("doomed");
        store().put(location, Map.of(), out -> out.write(new byte[] {1, 2, 3}));

        store().delete(location);
        store().delete(location);
        store().delete(at("never-written"));

        assertThat(store().head(location)).isEmpty();
        assertThatThrownBy(() -> store().get(location)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aSecondPutReplacesContentAndMetadata() throws IOException {
        final ObjectLocation location = at("replaced");
        final TestContent first = new TestContent(partSize() + 10, 1);
        final TestContent second = new TestContent(100, 2);
        store().put(location, Map.of("version", "1", "only-in-first", "x"), first::writeTo);

        store().put(location, Map.of("version", "2"), second::writeTo);

        assertThat(store().head(location)).hasValue(new StoredObject(location, 100, Map.of("version", "2")));
        assertThat(TestContent.read(store().get(location)).sha256()).isEqualTo(second.sha256());
    }

    /** How far a failing writer gets before it throws: nothing, a byte, past several parts. */
    private long failureOffset(final String when) {
        return switch (when) {
            case "before-any-byte" -> 0;
            case "after-one-byte" -> 1;
            default -> 2L * partSize() + 1000;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"before-any-byte", "after-one-byte", "after-several-parts"})
    void aFailingWriterLeavesNoObjectAndItsExceptionPropagatesUnchanged(final String when) throws IOException {
        final ObjectLocation location = at("failed-" + when);
        final IOException boom = new IOException("checksum mismatch in the source");
        final long offset = failureOffset(when);

        final Throwable thrown = catchThrowable(() -> store().put(location, Map.of("k", "v"), out -> {
            new TestContent(offset, 3).writeTo(out);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(boom.getSuppressed()).isEmpty();
        assertThat(boom.getCause()).isNull();
        assertThat(store().head(location)).isEmpty();
        assertThatThrownBy(() -> store().get(location)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void anUncheckedWriterFailurePropagatesUnchangedToo() throws IOException {
        final ObjectLocation location = at("failed-unchecked");
        final IllegalStateException boom = new IllegalStateException("bug in the writer");

        final Throwable thrown = catchThrowable(() -> store().put(location, Map.of(), out -> {
            out.write(new byte[partSize() + 1]);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(store().head(location)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"before-any-byte", "after-one-byte", "after-several-parts"})
    void aFailingWriterLeavesTheExistingObjectIntact(final String when) throws IOException {
        final ObjectLocation location = at("kept-" + when);
        final TestContent original = new TestContent(partSize() / 2 + 3, 4);
        store().put(location, Map.of("version", "original"), original::writeTo);
        final IOException boom = new IOException("upstream went away");

        final Throwable thrown = catchThrowable(() -> store().put(location, Map.of("version", "failed"), out -> {
            new TestContent(failureOffset(when), 5).writeTo(out);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(store().head(location)).hasValue(
                new StoredObject(location, original.size(), Map.of("version", "original")));
        assertThat(TestContent.read(store().get(location)).sha256()).isEqualTo(original.sha256());
    }

    @Test
    void keysWithSlashesAreIndependentObjects() throws IOException {
        final List<String> keys = List.of("tenant-a/2024/11/report.pdf", "tenant-a/2024/11/report.pdf.seal",
                "tenant-a/2024/12/report.pdf", "tenant-b/report.pdf", "tenant-a/2024/11/x y+z=%.pdf");
        for (final String key : keys) {
            store().put(at(key), Map.of(), out -> out.write(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }

        store().delete(at("tenant-a/2024/11/report.pdf"));

        assertThat(store().head(at("tenant-a/2024/11/report.pdf"))).isEmpty();
        for (final String key : keys.subList(1, keys.size())) {
            try (InputStream in = store().get(at(key))) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(key);
            }
        }
        assertThat(store().head(at("tenant-a/2024"))).as("a prefix is not an object").isEmpty();
    }

    @Test
    void getStreamsAndMayBeClosedEarly() throws IOException {
        final ObjectLocation location = at("streamed");
        final TestContent content = new TestContent(3L * partSize() + 5, 6);
        store().put(location, Map.of(), content::writeTo);
        final byte[] expectedStart = new byte[4096];
        content.writePrefix(new OutputStream() {
            private int at;

            @Override
            public void write(final int b) {
                expectedStart[at++] = (byte) b;
            }

            @Override
            public void write(final byte[] b, final int off, final int len) {
                System.arraycopy(b, off, expectedStart, at, len);
                at += len;
            }
        }, expectedStart.length);

        final long started = System.nanoTime();
        try (InputStream in = store().get(location)) {
            assertThat(in.readNBytes(expectedStart.length)).isEqualTo(expectedStart);
        } // closed with most of the object unread
        final long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(TestContent.read(store().get(location))).isEqualTo(
                new TestContent.Read(content.size(), content.sha256()));
        assertThat(elapsedMillis).as("reading a prefix and closing must not fetch the whole object").isLessThan(5_000);
    }

    @Test
    void closingTheStreamInsideTheWriterDoesNotCommitEarlyAndLaterWritesFail() throws IOException {
        final ObjectLocation location = at("closed-by-writer");
        final OutputStream[] leaked = new OutputStream[1];

        store().put(location, Map.of(), out -> {
            out.write(new byte[] {1, 2});
            out.close();
            leaked[0] = out;
        });

        assertThatThrownBy(() -> leaked[0].write(3)).isInstanceOf(IOException.class);
        assertThat(store().head(location)).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "under_score", "", "dot.ted"})
    void metadataKeysOutsideLowerCaseLettersDigitsAndDashesAreRejected(final String key) throws IOException {
        final ObjectLocation location = at("bad-metadata");
        assertThatThrownBy(() -> store().put(location, Map.of(key, "v"), out -> out.write(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata key");
        assertThat(store().head(location)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "line\nbreak", " leading", "trailing "})
    void metadataValuesThatWouldNotSurviveHttpAreRejected(final String value) {
        assertThatThrownBy(() -> store().put(at("bad-value"), Map.of("k", value), out -> out.write(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metadataOverTwoKibibytesIsRejected() {
        final Map<String, String> big = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            big.put("key-" + i, "v".repeat(70));
        }
        assertThatThrownBy(() -> store().put(at("big-metadata"), big, out -> out.write(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata too large");
    }

    /**
     * Concurrent puts to one location: whatever wins, the metadata read back describes the content read back. Each
     * writer records the digest of its content in its metadata.
     */
    @Test
    void concurrentPutsLeaveContentAndMetadataOfTheSameUpload() throws Exception {
        final ObjectLocation location = at("contended");
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<?>> results = new ArrayList<>();
            for (int writer = 0; writer < 4; writer++) {
                final int seed = writer;
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        final TestContent content = new TestContent(10_000 + seed * 1000 + round, seed * 100L + round);
                        try {
                            store().put(location, Map.of("sha256", content.sha256()), content::writeTo);
                            final StoredObject head = store().head(location).orElseThrow();
                            final TestContent.Read read = TestContent.read(store().get(location));
                            // Another put may land between head and get: only a consistent pair from one read counts.
                            assertThat(read.size()).isBetween(10_000L, 20_000L);
                            assertThat(head.metadata()).containsKey("sha256");
                        } catch (final IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        final StoredObject last = store().head(location).orElseThrow();
        final TestContent.Read read = TestContent.read(store().get(location));
        assertThat(read.sha256()).isEqualTo(last.metadata().get("sha256"));
        assertThat(read.size()).isEqualTo(last.size());
    }

    @Test
    void describeNamesTheStoreWithoutSecrets() {
        assertThat(store().describe()).isNotBlank().doesNotContain("secret");
    }
}
