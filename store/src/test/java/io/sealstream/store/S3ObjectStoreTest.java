package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sealstream.testing.S3ProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3Client;

class S3ObjectStoreTest extends ObjectStoreContract {

    private static final int MIB = 1024 * 1024;
    private static final int PART = 5 * MIB;
    private static final String BUCKET = "store-s3-test";

    private static S3ProxyServer server;
    private S3ObjectStore store;
    private RecordingInterceptor recorder;

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.shared();
        server.createBucket(BUCKET);
    }

    @BeforeEach
    void createStore() {
        recorder = new RecordingInterceptor();
        store = storeWith(S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).withMultipart(PART, PART));
    }

    private S3ObjectStore storeWith(final S3StoreConfig config) {
        return new S3ObjectStore(config, b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(recorder)));
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
        return BUCKET;
    }

    @Override
    protected int partSize() {
        return PART;
    }

    private static String eTag(final ObjectLocation location) {
        try (S3Client client = server.newClient()) {
            return client.headObject(b -> b.bucket(location.bucket()).key(location.key())).eTag();
        }
    }

    private static List<String> pendingUploads(final ObjectLocation location) {
        try (S3Client client = server.newClient()) {
            final List<String> ids = new ArrayList<>();
            client.listMultipartUploads(b -> b.bucket(location.bucket()).prefix(location.key()))
                    .uploads().forEach(u -> ids.add(u.uploadId()));
            return ids;
        }
    }

    /**
     * S3Proxy has no object tagging (501): that is a permanent "unsupported", not an outage to wait out, so the
     * staging cleaner's tag mode stops with a clear error instead of retrying for ever. (Tagging itself needs a store
     * that has it: AWS S3 or MinIO, the Testcontainers test.)
     */
    @Test
    void aStoreWithoutTaggingSaysSoInsteadOfLookingUnavailable() throws IOException {
        final ObjectLocation location = at("to-tag");
        store.put(location, java.util.Map.of(), out -> out.write(1));
        assertThatThrownBy(() -> store.tag(location, java.util.Map.of("sealstream-encrypted", "true")))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("does not implement object tagging");
    }

    @Test
    void objectsBelowTheThresholdGoUpInOnePutAndFromTheThresholdInParts() throws IOException {
        try (S3ObjectStore s = storeWith(S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).withMultipart(12 * MIB, PART))) {
            final ObjectLocation small = at("below-threshold");
            s.put(small, Map.of(), new TestContent(12 * MIB - 1, 1)::writeTo);
            assertThat(recorder.calls()).containsExactly("PutObject");
            assertThat(eTag(small)).doesNotContain("-");

            recorder.clear();
            final ObjectLocation large = at("at-threshold");
            final TestContent content = new TestContent(12 * MIB, 2);
            s.put(large, Map.of("k", "v"), content::writeTo);
            assertThat(recorder.calls()).containsExactly("CreateMultipartUpload", "UploadPart", "UploadPart",
                    "UploadPart", "CompleteMultipartUpload"); // 5 MiB, 5 MiB, 2 MiB
            assertThat(eTag(large)).endsWith("-3\"");
            assertThat(s.head(large)).hasValue(new StoredObject(large, 12 * MIB, Map.of("k", "v")));
            assertThat(TestContent.read(s.get(large)).sha256()).isEqualTo(content.sha256());
        }
    }

    @Test
    void aWriterFailureAbortsTheMultipartUpload() {
        final ObjectLocation location = at("writer-fails");
        final IOException boom = new IOException("boom");

        final Throwable thrown = catchThrowable(() -> store.put(location, Map.of(), out -> {
            new TestContent(2L * PART + 1, 1).writeTo(out);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(pendingUploads(location)).isEmpty();
        assertThat(recorder.calls()).containsExactly("CreateMultipartUpload", "UploadPart", "UploadPart",
                "AbortMultipartUpload");
    }

    @Test
    void aFailedPartAbortsTheUploadAndSurfacesAsUnavailable() {
        final ObjectLocation location = at("part-fails");
        recorder.failWhen(call -> call.equals("UploadPart#3")); // Create is #1: the second part fails

        final Throwable thrown = catchThrowable(() -> store.put(location, Map.of(), new TestContent(3L * PART, 1)::writeTo));

        assertThat(thrown).isInstanceOf(ObjectStoreUnavailableException.class)
                .hasMessageContaining("S3 put of " + location)
                .hasMessageContaining("injected failure of UploadPart");
        assertThat(pendingUploads(location)).isEmpty();
        assertThat(recorder.calls()).endsWith("AbortMultipartUpload");
        assertThat(catchThrowable(() -> store.head(location))).isNull();
    }

    @Test
    void aWriterThatSwallowsTheStoresFailureStillGetsNoObject() throws IOException {
        final ObjectLocation location = at("swallowed");
        recorder.failWhen(call -> call.equals("UploadPart#2"));

        final Throwable thrown = catchThrowable(() -> store.put(location, Map.of(), out -> {
            try {
                new TestContent(3L * PART, 1).writeTo(out);
            } catch (final IOException ignored) {
                // a careless writer carries on as if all went well
            }
        }));

        assertThat(thrown).isInstanceOf(ObjectStoreUnavailableException.class);
        assertThat(store.head(location)).isEmpty();
        assertThat(pendingUploads(location)).isEmpty();
    }

    @Test
    void aFailedCompletionAbortsTheUpload() throws IOException {
        final ObjectLocation location = at("complete-fails");
        recorder.failWhen(call -> call.equals("CompleteMultipartUpload"));

        assertThatThrownBy(() -> store.put(location, Map.of(), new TestContent(PART + 1, 1)::writeTo))
                .isInstanceOf(ObjectStoreUnavailableException.class);

        assertThat(pendingUploads(location)).isEmpty();
        assertThat(recorder.calls()).endsWith("CompleteMultipartUpload", "AbortMultipartUpload");
        assertThat(store.head(location)).isEmpty();
    }

    @Test
    void aWrongSecretKeyIsAClearPermanentError() {
        final String wrongSecret = "not-the-secret-" + System.nanoTime();
        try (S3ObjectStore s = new S3ObjectStore(S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).withCredentials(S3ProxyServer.ACCESS_KEY, wrongSecret))) {
            final ObjectLocation location = at("forbidden");

            final Throwable put = catchThrowable(() -> s.put(location, Map.of(), out -> out.write(1)));
            final Throwable head = catchThrowable(() -> s.head(location));
            final Throwable get = catchThrowable(() -> s.get(location));

            assertThat(put).isExactlyInstanceOf(IOException.class)
                    .hasMessageStartingWith("S3 put of " + location + " failed: HTTP 403 SignatureDoesNotMatch");
            assertThat(head).isExactlyInstanceOf(IOException.class).hasMessageContaining("HTTP 403");
            assertThat(get).isExactlyInstanceOf(IOException.class).hasMessageContaining("HTTP 403");
            for (final Throwable t : List.of(put, head, get)) {
                assertThat(t.getMessage()).doesNotContain(wrongSecret).doesNotContain(S3ProxyServer.SECRET_KEY)
                        .doesNotContain("\n");
            }
            assertThat(s.describe()).doesNotContain(wrongSecret);
            assertThat(s.config().toString()).doesNotContain(wrongSecret);
        }
    }

    @Test
    void aMissingBucketOnPutIsAPermanentErrorNamingIt() {
        final ObjectLocation location = new ObjectLocation("no-such-bucket-here", "k");

        assertThatThrownBy(() -> store.put(location, Map.of(), out -> out.write(1)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 404 NoSuchBucket");
    }

    @Test
    void anEndpointWithNothingListeningIsUnavailableQuickly() throws IOException {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } // closed: connections are refused
        final S3StoreConfig config = S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).withEndpoint(URI.create("http://127.0.0.1:" + port))
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500));
        try (S3ObjectStore s = new S3ObjectStore(config)) {
            final ObjectLocation location = at("unreachable");
            final long started = System.nanoTime();

            final List<Throwable> failures = List.of(
                    catchThrowable(() -> s.put(location, Map.of(), out -> out.write(1))),
                    catchThrowable(() -> s.head(location)),
                    catchThrowable(() -> s.get(location)),
                    catchThrowable(() -> s.delete(location)));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            for (final Throwable t : failures) {
                assertThat(t).isInstanceOf(ObjectStoreUnavailableException.class)
                        .hasMessageContaining("store unavailable at http://127.0.0.1:" + port)
                        .hasMessageNotContaining(S3ProxyServer.SECRET_KEY)
                        .hasMessageNotContaining("\n");
            }
        }
    }

    @Test
    void aServerThatNeverAnswersIsUnavailableAfterTheSocketTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never answer
                    }
                } catch (final IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            final S3StoreConfig config = S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                    .withEndpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(300));
            try (S3ObjectStore s = new S3ObjectStore(config)) {
                final long started = System.nanoTime();
                assertThatThrownBy(() -> s.head(at("silence"))).isInstanceOf(ObjectStoreUnavailableException.class)
                        .hasMessageContaining("timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            } finally {
                for (final Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(S3StoreConfig.ChecksumMode.class)
    void checksumModeDecidesWhetherUploadsCarryChecksums(final S3StoreConfig.ChecksumMode mode) throws IOException {
        try (S3ObjectStore s = storeWith(S3StoreConfig.forEndpoint(server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).withMultipart(PART, PART).withChecksumMode(mode))) {
            final TestContent small = new TestContent(1000, 1);
            final TestContent large = new TestContent(PART + 1, 2);
            s.put(at("checksums-small"), Map.of(), small::writeTo);
            s.put(at("checksums-large"), Map.of(), large::writeTo);

            assertThat(TestContent.read(s.get(at("checksums-small"))).sha256()).isEqualTo(small.sha256());
            assertThat(TestContent.read(s.get(at("checksums-large"))).sha256()).isEqualTo(large.sha256());
            final List<RecordingInterceptor.Sent> uploads = recorder.sent().stream()
                    .filter(r -> r.operation().equals("PutObject") || r.operation().equals("UploadPart")).toList();
            assertThat(uploads).hasSize(3);
            for (final RecordingInterceptor.Sent upload : uploads) {
                final boolean carriesChecksum = upload.headers().keySet().stream().map(String::toLowerCase)
                        .anyMatch(h -> h.startsWith("x-amz-checksum-") || h.equals("x-amz-sdk-checksum-algorithm")
                                || h.equals("x-amz-trailer"));
                assertThat(carriesChecksum).as(upload.operation() + " " + upload.headers().keySet())
                        .isEqualTo(mode == S3StoreConfig.ChecksumMode.WHEN_SUPPORTED);
                // A single PutObject goes in one piece (cheaper for both sides); parts stream aws-chunked, so the
                // server works while the client hashes (docs/PERFORMANCE.md: large puts were 15-20% slower unchunked).
                final boolean chunked = upload.headers().keySet().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT))
                        .anyMatch(h -> h.equals("x-amz-decoded-content-length"));
                assertThat(chunked).as(upload.operation() + " " + upload.headers().keySet())
                        .isEqualTo(upload.operation().equals("UploadPart"));
                if (carriesChecksum) {
                    // SHA-256: the store checks every byte against x-amz-checksum-sha256 (sent, or trailing the body).
                    assertThat(upload.headers().toString().toLowerCase(java.util.Locale.ROOT))
                            .as(upload.operation()).contains("sha256").doesNotContain("crc32");
                }
            }
        }
    }

    /**
     * 256 MiB generated on the fly, 5 MiB parts: the store's upload buffers must stay within two parts. The count is
     * of every byte array the upload allocates, so holding the object (or a part per upload) would fail this.
     */
    @Test
    void a256MiBObjectIsUploadedWithinTwoPartBuffers() throws IOException {
        final long size = 256L * MIB;
        final TestContent content = new TestContent(size, 256);
        final ObjectLocation location = at("big");

        long started = System.nanoTime();
        final StoredObject stored = store.put(location, Map.of("size", "256MiB"), content::writeTo);
        final double putSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        final TestContent.Read read = TestContent.read(store.get(location));
        final double getSeconds = (System.nanoTime() - started) / 1e9;

        assertThat(stored.size()).isEqualTo(size);
        assertThat(store.peakBufferBytes()).isGreaterThanOrEqualTo(PART).isLessThanOrEqualTo(2L * PART);
        assertThat(eTag(location)).endsWith("-52\"");
        assertThat(read).isEqualTo(new TestContent.Read(size, content.sha256()));
        System.out.printf("256 MiB with 5 MiB parts: put %.1f s (%.0f MiB/s), get %.1f s (%.0f MiB/s), "
                        + "peak upload buffer %d KiB%n", putSeconds, 256 / putSeconds, getSeconds, 256 / getSeconds,
                store.peakBufferBytes() / 1024);
    }

    @Test
    void metadataTravelsAsAmzMetaHeaders() throws IOException {
        store.put(at("meta-headers"), Map.of("sealstream-kek", "k1"), out -> out.write(1));

        final RecordingInterceptor.Sent put = recorder.sent().get(0);
        assertThat(put.headers()).containsEntry("x-amz-meta-sealstream-kek", List.of("k1"));
    }
}
