package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilesystemObjectStoreTest extends ObjectStoreContract {

    @TempDir
    Path temp;
    private Path root;
    private FilesystemObjectStore store;

    @BeforeEach
    void createStore() {
        root = temp.resolve("objects");
        store = new FilesystemObjectStore(root);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected String bucket() {
        return "bucket";
    }

    @Override
    protected int partSize() {
        return 64 * 1024;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/../../escape", "a/../b", "/absolute", "a//b", "a/", "./a", "a/./b", "..",
            ".", "nul\0byte", "back\\slash", "a/.sealstream-tmp-123", ".sealstream-anything"})
    void keysThatCouldLeaveTheRootOrHitReservedNamesAreRejected(final String key) throws IOException {
        final ObjectLocation location = new ObjectLocation("bucket", key);

        assertThatThrownBy(() -> store.put(location, Map.of(), out -> out.write(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("object location rejected by the filesystem store: s3://bucket/")
                .hasMessageNotContaining("\0");
        assertThatThrownBy(() -> store.head(location)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(location)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(location)).isInstanceOf(IllegalArgumentException.class);
        try (Stream<Path> outside = Files.list(temp)) {
            assertThat(outside).allMatch(root::equals); // nothing written beside the root
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "nul\0", "back\\slash", ".sealstream-meta"})
    void bucketsThatCouldLeaveTheRootAreRejected(final String bucket) {
        assertThatThrownBy(() -> store.put(new ObjectLocation(bucket, "key"), Map.of(), out -> out.write(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket");
    }

    @Test
    void objectsAreFilesUnderRootBucketKeyAndBucketsAppearOnFirstPut() throws IOException {
        assertThat(root).doesNotExist();

        store.put(new ObjectLocation("b1", "dir/sub/obj.bin"), Map.of(), out -> out.write(7));

        assertThat(root.resolve("b1/dir/sub/obj.bin")).isRegularFile();
        assertThat(store.describe()).contains(root.toString());
    }

    @Test
    void aPartialObjectIsNeverVisibleWhileItIsWritten() throws Exception {
        final ObjectLocation location = at("slow");
        final CountDownLatch halfWritten = new CountDownLatch(1);
        final CountDownLatch finish = new CountDownLatch(1);
        final CompletableFuture<StoredObject> put = CompletableFuture.supplyAsync(() -> {
            try {
                return store.put(location, Map.of("v", "1"), out -> {
                    out.write(new byte[1 << 20]);
                    out.flush();
                    halfWritten.countDown();
                    try {
                        finish.await(10, TimeUnit.SECONDS);
                    } catch (final InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    out.write(new byte[1 << 20]);
                });
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(halfWritten.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(store.head(location)).isEmpty();
        assertThatThrownBy(() -> store.get(location)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(temporaryFiles(store.resolve(location).getParent())).hasSize(1);

        finish.countDown();
        assertThat(put.get(10, TimeUnit.SECONDS).size()).isEqualTo(2 << 20);
        assertThat(store.head(location)).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(2 << 20));
        assertThat(temporaryFiles(store.resolve(location).getParent())).isEmpty();
    }

    @Test
    void aFailedPutDeletesItsTemporaryFile() throws IOException {
        final ObjectLocation location = at("failing");
        final IOException boom = new IOException("boom");
        assertThatThrownBy(() -> store.put(location, Map.of(), out -> {
            out.write(new byte[100_000]);
            throw boom;
        })).isSameAs(boom);

        assertThat(temporaryFiles(store.resolve(location).getParent())).isEmpty();
    }

    /**
     * A JVM killed in the middle of a put (kill -9: no finally, no shutdown hook) leaves a temporary file and no
     * object; the store ignores the leftover and later puts and gets work.
     */
    @Test
    void aPutKilledMidwayLeavesNoObjectAndItsLeftoverIsIgnored() throws Exception {
        final ObjectLocation location = at("crashed");
        store.put(location, Map.of("version", "before-crash"), out -> out.write("old".getBytes(StandardCharsets.US_ASCII)));
        final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingPut.class.getName(),
                root.toString(), location.toUri())
                .redirectErrorStream(true)
                .start();
        try {
            final String line = new String(child.getInputStream().readNBytes(CrashingPut.READY.length()),
                    StandardCharsets.US_ASCII);
            assertThat(line).isEqualTo(CrashingPut.READY);
            final Path directory = store.resolve(location).getParent();
            assertThat(temporaryFiles(directory)).hasSize(1);
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final Path directory = store.resolve(location).getParent();
        assertThat(temporaryFiles(directory)).as("the crash leaves its temporary file").hasSize(1);

        assertThat(store.head(location)).hasValue(new StoredObject(location, 3, Map.of("version", "before-crash")));
        try (InputStream in = store.get(location)) {
            assertThat(in.readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("old");
        }
        store.put(location, Map.of("version", "after-crash"), out -> out.write('n'));
        assertThat(store.head(location)).hasValue(new StoredObject(location, 1, Map.of("version", "after-crash")));
    }

    /** Run in a child JVM by the crash test: starts a put, writes 3 MiB, says so, and hangs until killed. */
    public static final class CrashingPut {
        static final String READY = "half-written\n";

        public static void main(final String[] args) throws Exception {
            final FilesystemObjectStore store = new FilesystemObjectStore(Path.of(args[0]));
            store.put(ObjectLocation.parse(args[1]), Map.of("version", "crashed"), out -> {
                out.write(new byte[3 << 20]);
                System.out.print(READY);
                System.out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.exit(3); // never commit
            });
        }
    }

    @Test
    void unrelatedFilesInTheTreeDoNotConfuseHeadAndGet() throws IOException {
        final ObjectLocation location = at("plain");
        final Path file = store.resolve(location);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not written by the store");
        Files.writeString(file.resolveSibling(".sealstream-tmp-leftover"), "garbage");

        assertThatThrownBy(() -> store.head(location)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a sealstream object file");
        assertThatThrownBy(() -> store.get(location)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a sealstream object file");
    }

    @Test
    void aReplaceWithSmallerContentAndFewerMetadataLeavesNothingOfTheOldObject() throws IOException {
        final ObjectLocation location = at("shrunk");
        store.put(location, Map.of("a", "1", "b", "2", "c", "3"), new TestContent(1 << 20, 1)::writeTo);
        final TestContent small = new TestContent(10, 2);

        store.put(location, Map.of("a", "x"), small::writeTo);

        assertThat(store.head(location)).hasValue(new StoredObject(location, 10, Map.of("a", "x")));
        assertThat(TestContent.read(store.get(location)).sha256()).isEqualTo(small.sha256());
        assertThat(temporaryFiles(store.resolve(location).getParent())).isEmpty();
    }

    @Test
    void aKeyCannotBeBothAnObjectAndAPrefixOfOthers() throws IOException {
        store.put(at("a"), Map.of(), out -> out.write(1));
        store.put(at("b/c"), Map.of(), out -> out.write(1));

        assertThatThrownBy(() -> store.put(at("a/x"), Map.of(), out -> out.write(2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a prefix of its key is an object");
        assertThatThrownBy(() -> store.put(at("b"), Map.of(), out -> out.write(2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("other keys exist below");
        assertThat(store.head(at("a/x"))).isEmpty();
        assertThat(store.head(at("b"))).isEmpty();
        store.delete(at("b"));
        store.delete(at("a/x"));
        assertThat(store.head(at("b/c"))).isPresent();
        assertThat(store.head(at("a"))).isPresent();
    }

    @Test
    void anOpenGetKeepsReadingTheVersionItOpenedAcrossAReplace() throws IOException {
        final ObjectLocation location = at("read-while-replaced");
        final TestContent first = new TestContent(300_000, 1);
        store.put(location, Map.of(), first::writeTo);

        try (InputStream in = store.get(location)) {
            final byte[] start = in.readNBytes(1000);
            store.put(location, Map.of(), out -> out.write(new byte[5]));
            store.delete(location);
            final TestContent.Read rest = TestContent.read(in);
            assertThat(start.length + rest.size()).isEqualTo(first.size());
        }
    }

    private static List<Path> temporaryFiles(final Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith(FilesystemObjectStore.TEMP_PREFIX)).toList();
        }
    }
}
