package io.sealstream.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.Preset;
import io.sealstream.events.ChecksumAlgorithm;
import io.sealstream.events.PlaintextChecksum;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.keys.RegisteringKeyManagementService;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.KeyPolicy;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.S3ObjectStore;
import io.sealstream.store.S3StoreConfig;
import io.sealstream.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 read gateway against the AWS SDK for Java v2 as the client, over a real S3 server (S3Proxy) holding what the
 * pipeline's writer wrote: whole and ranged GETs, HEAD, listing, SigV4 refusals, tenant isolation (audited), tampered
 * objects, presigned URLs.
 */
class S3GatewayTest {

    private static final String STORE_BUCKET = "gateway-test";
    private static final String ACME_KEY = "AKIDACMEREADER";
    private static final String ACME_SECRET = "acme-secret-0123456789";
    private static final String GLOBEX_KEY = "AKIDGLOBEXREADER";
    private static final String GLOBEX_SECRET = "globex-secret-0123456789";
    private static final int SEGMENT = Preset.DEFAULT.segmentSize();

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;
    private static S3ObjectStore store;
    private static LocalKeyStoreKms local;
    private static InMemoryTrail trail;
    private static KeyManagementService kms;
    private static S3Gateway gateway;
    private static S3Client acme;
    private static final Map<String, byte[]> written = new HashMap<>();

    @BeforeAll
    static void start() throws IOException {
        s3 = S3ProxyServer.shared();
        s3.createBucket(STORE_BUCKET);
        store = new S3ObjectStore(S3StoreConfig.forEndpoint(s3.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "test-passphrase".toCharArray());
        local.createKey("kek-default");
        trail = new InMemoryTrail();
        kms = new RegisteringKeyManagementService(local, trail, "pipeline/1", Clock.systemUTC());
        final AuditedObjectReader reader = new AuditedObjectReader(store, trail, kms, trail, "gateway/test",
                Clock.systemUTC(), true, KeyPolicy.of("kek-default"));
        final Map<String, String> settings = new HashMap<>(Map.of(
                "sealstream.gateway.listen", "127.0.0.1:0",
                "sealstream.gateway.bucket.invoices", "acme/invoices",
                "sealstream.gateway.bucket.payroll", "globex/payroll",
                "sealstream.gateway.bucket.scratch", "acme/scratch",
                "sealstream.gateway.principal.acme-reader.access-key-id", ACME_KEY,
                "sealstream.gateway.principal.acme-reader.secret-access-key", ACME_SECRET,
                "sealstream.gateway.principal.acme-reader.grants", "acme/*",
                "sealstream.gateway.principal.globex-reader.access-key-id", GLOBEX_KEY,
                "sealstream.gateway.principal.globex-reader.secret-access-key", GLOBEX_SECRET,
                "sealstream.gateway.principal.globex-reader.grants", "globex/payroll"));
        settings.put("sealstream.gateway.registry-refresh", "1h"); // the refresh-on-miss path must do the work
        gateway = S3Gateway.start(GatewayConfig.fromConfig(settings), store, STORE_BUCKET, reader, trail::refresh,
                Clock.systemUTC());
        acme = client(ACME_KEY, ACME_SECRET);
        write("acme", "invoices", "empty", 0);
        write("acme", "invoices", "one", 1);
        write("acme", "invoices", "exact-segment", SEGMENT);
        write("acme", "invoices", "big.bin", 3 * SEGMENT + 1234);
        write("acme", "invoices", "2026/q1 report.pdf", 5000);
        write("acme", "invoices", "2026/a+b=c.txt", 10);
        write("acme", "invoices", "2026/ünïcødé/€ 100%.txt", 20);
        write("acme", "invoices", "2026/deep/x", 3);
        write("globex", "payroll", "salaries.csv", 100);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        acme.close();
        store.close();
        local.close();
    }

    private static S3Client client(final String key, final String secret) {
        // a read the gateway cuts off must fail, not hang: bounded so that a connection left open fails the test
        return S3Client.builder().endpointOverride(gateway.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(30)))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    private static byte[] write(final String tenant, final String bucket, final String key, final int size) throws IOException {
        return write(tenant, bucket, key, size, (java.util.function.Function<byte[], PlaintextChecksum>) null);
    }

    /** As the pipeline writes: with the content type, and the plaintext checksum the upload declared (if any). */
    private static byte[] write(final String tenant, final String bucket, final String key, final int size,
                                final java.util.function.Function<byte[], PlaintextChecksum> checksum) throws IOException {
        final byte[] plaintext = new byte[size];
        for (int i = 0; i < size; i++) {
            plaintext[i] = (byte) (i * 131 + (i >>> 10) + key.length());
        }
        final ObjectIdentity identity = new ObjectIdentity(tenant, bucket, key);
        try (DataKey dek = kms.generateDataKey("kek-default", identity.keyScope())) {
            new EncryptedObjectStore(store).write(identity.destination(STORE_BUCKET), identity, dek, Preset.DEFAULT,
                    "evt-" + UUID.randomUUID(), size, key.endsWith(".pdf") ? "application/pdf" : null,
                    checksum == null ? null : checksum.apply(plaintext),
                    out -> out.write(plaintext), null);
        }
        written.put(tenant + "/" + bucket + "/" + key, plaintext);
        return plaintext;
    }

    private static byte[] get(final S3Client client, final String bucket, final String key, final String range) {
        return client.getObject(b -> b.bucket(bucket).key(key).range(range), ResponseTransformer.toBytes()).asByteArray();
    }

    @Test
    void wholeObjectsDecryptToThePlaintextWithItsSizeTypeAndEtag() {
        for (final String key : List.of("empty", "one", "exact-segment", "big.bin", "2026/q1 report.pdf",
                "2026/a+b=c.txt", "2026/ünïcødé/€ 100%.txt")) {
            final ResponseBytes<GetObjectResponse> got = acme.getObject(b -> b.bucket("invoices").key(key),
                    ResponseTransformer.toBytes());
            assertThat(got.asByteArray()).as(key).isEqualTo(written.get("acme/invoices/" + key));
            assertThat(got.response().contentLength()).isEqualTo(written.get("acme/invoices/" + key).length);
            assertThat(got.response().eTag()).matches("\"[0-9a-f]{32}\"");
        }
        assertThat(acme.getObject(b -> b.bucket("invoices").key("2026/q1 report.pdf")).response().contentType())
                .isEqualTo("application/pdf");
        assertThat(acme.getObject(b -> b.bucket("invoices").key("one")).response().contentType())
                .isEqualTo("application/octet-stream");
    }

    @Test
    void rangesReturnExactlyTheirBytes() {
        final byte[] big = written.get("acme/invoices/big.bin");
        final int n = big.length;
        assertThat(get(acme, "invoices", "big.bin", "bytes=0-0")).containsExactly(big[0]);
        assertThat(get(acme, "invoices", "big.bin", "bytes=" + (n - 1) + "-" + (n - 1))).containsExactly(big[n - 1]);
        assertThat(get(acme, "invoices", "big.bin", "bytes=" + (SEGMENT - 3) + "-" + (SEGMENT + 2)))
                .isEqualTo(Arrays.copyOfRange(big, SEGMENT - 3, SEGMENT + 3)); // across a segment boundary
        assertThat(get(acme, "invoices", "big.bin", "bytes=-10")).isEqualTo(Arrays.copyOfRange(big, n - 10, n));
        assertThat(get(acme, "invoices", "big.bin", "bytes=" + (2 * SEGMENT) + "-"))
                .isEqualTo(Arrays.copyOfRange(big, 2 * SEGMENT, n));
        assertThat(get(acme, "invoices", "big.bin", "bytes=10-" + (10L * n))).isEqualTo(Arrays.copyOfRange(big, 10, n));
        assertThat(get(acme, "invoices", "big.bin", "bytes=-" + (2 * n))).isEqualTo(big);
        final GetObjectResponse partial = acme.getObject(b -> b.bucket("invoices").key("big.bin").range("bytes=5-9"),
                ResponseTransformer.toBytes()).response();
        assertThat(partial.contentRange()).isEqualTo("bytes 5-9/" + n);
        assertThat(partial.contentLength()).isEqualTo(5);
    }

    @Test
    void unsatisfiableRangesAre416() {
        final int n = written.get("acme/invoices/big.bin").length;
        for (final String range : List.of("bytes=" + n + "-", "bytes=" + (n + 5) + "-" + (n + 10), "bytes=-0")) {
            assertThatThrownBy(() -> get(acme, "invoices", "big.bin", range)).as(range)
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(416);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRange");
                    });
        }
        assertThatThrownBy(() -> get(acme, "invoices", "empty", "bytes=0-0"))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(416));
    }

    @Test
    void headGivesThePlaintextSizeAndTypeWithoutABody() {
        final HeadObjectResponse head = acme.headObject(b -> b.bucket("invoices").key("2026/q1 report.pdf"));
        assertThat(head.contentLength()).isEqualTo(5000);
        assertThat(head.contentType()).isEqualTo("application/pdf");
        assertThat(head.acceptRanges()).isEqualTo("bytes");
        assertThatThrownBy(() -> acme.headObject(b -> b.bucket("invoices").key("no-such-key")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void listingShowsThePlaintextViewWithAwkwardKeysPrefixesAndPages() {
        final ListObjectsV2Response top = acme.listObjectsV2(b -> b.bucket("invoices").delimiter("/"));
        assertThat(top.contents()).extracting(S3Object::key)
                .containsExactly("big.bin", "empty", "exact-segment", "one");
        assertThat(top.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("2026/");
        assertThat(top.contents()).filteredOn(o -> o.key().equals("big.bin")).first()
                .satisfies(o -> assertThat(o.size()).isEqualTo(3L * SEGMENT + 1234));

        final ListObjectsV2Response in2026 = acme.listObjectsV2(b -> b.bucket("invoices").prefix("2026/").delimiter("/"));
        assertThat(in2026.contents()).extracting(S3Object::key)
                .containsExactly("2026/a+b=c.txt", "2026/q1 report.pdf");
        assertThat(in2026.commonPrefixes()).extracting(p -> p.prefix())
                .containsExactly("2026/deep/", "2026/ünïcødé/");

        // pages of two, through the SDK's paginator (continuation tokens), with every key exactly once
        final List<String> all = new ArrayList<>();
        acme.listObjectsV2Paginator(b -> b.bucket("invoices").maxKeys(2)).contents().forEach(o -> all.add(o.key()));
        assertThat(all).containsExactly("2026/a+b=c.txt", "2026/deep/x", "2026/q1 report.pdf",
                "2026/ünïcødé/€ 100%.txt", "big.bin", "empty", "exact-segment", "one");
        final List<String> prefixes = new ArrayList<>();
        acme.listObjectsV2Paginator(b -> b.bucket("invoices").prefix("2026/").delimiter("/").maxKeys(1))
                .iterator().forEachRemaining(page -> {
                    page.contents().forEach(o -> prefixes.add(o.key()));
                    page.commonPrefixes().forEach(p -> prefixes.add(p.prefix()));
                });
        assertThat(prefixes).containsExactlyInAnyOrder("2026/a+b=c.txt", "2026/q1 report.pdf", "2026/deep/",
                "2026/ünïcødé/");
        assertThat(acme.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("invoices", "scratch");
    }

    @Test
    void aWrongSignatureOrAnUnknownKeyIs403() {
        try (S3Client wrong = client(ACME_KEY, "not-the-secret-0123456789")) {
            assertThatThrownBy(() -> get(wrong, "invoices", "one", null))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                    });
        }
        try (S3Client unknown = client("AKIDNOBODY", "whatever-secret-0123456789")) {
            assertThatThrownBy(() -> unknown.listObjectsV2(b -> b.bucket("invoices")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
                    });
        }
        try (S3Client eu = S3Client.builder().endpointOverride(gateway.endpoint()).region(Region.EU_WEST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACME_KEY, ACME_SECRET))).build()) {
            assertThatThrownBy(() -> get(eu, "invoices", "one", null))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        }
    }

    @Test
    void aPrincipalReadingAnotherTenantIsRefusedAndAudited() {
        assertThatThrownBy(() -> get(acme, "payroll", "salaries.csv", null))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                });
        assertThat(trail.audits).anySatisfy(e -> {
            assertThat(e.getAction()).isEqualTo(AuditAction.DECRYPT);
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
            assertThat(e.getActor()).isEqualTo("acme-reader");
            assertThat(e.getTenant()).isEqualTo("globex");
            assertThat(e.getObjectKey()).isEqualTo("salaries.csv");
            assertThat(e.getReasonCode()).isEqualTo("ACCESS_DENIED");
        });
        try (S3Client globex = client(GLOBEX_KEY, GLOBEX_SECRET)) {
            assertThat(get(globex, "payroll", "salaries.csv", null)).isEqualTo(written.get("globex/payroll/salaries.csv"));
            assertThatThrownBy(() -> get(globex, "invoices", "one", null))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
        // a key that would walk out of the tenant's prefix never reaches the store
        assertThatThrownBy(() -> get(acme, "invoices", "../../globex/payroll/salaries.csv", null))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> get(acme, "no-such-bucket", "x", null))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void everyReadIsADecryptEventNamingThePrincipalObjectAndKey() {
        final int before = trail.audits.size();
        get(acme, "invoices", "big.bin", "bytes=100-199");
        final List<AuditEvent> events = trail.audits.subList(before, trail.audits.size());
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getAction()).isEqualTo(AuditAction.DECRYPT);
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
            assertThat(e.getActor()).isEqualTo("acme-reader");
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.getBucket()).isEqualTo("invoices");
            assertThat(e.getObjectKey()).isEqualTo("big.bin");
            assertThat(e.getDekId()).isNotBlank();
            assertThat(e.getMessage()).contains("bytes 100-199");
        });
    }

    @Test
    void aTamperedObjectFailsAndReleasesNoWrongByte() throws Exception {
        final byte[] plaintext = write("acme", "scratch", "tampered.bin", 8 * SEGMENT);
        final ObjectLocation where = new ObjectIdentity("acme", "scratch", "tampered.bin").destination(STORE_BUCKET);
        final byte[] stored;
        final Map<String, String> metadata;
        try (InputStream in = store.get(where)) {
            stored = in.readAllBytes();
        }
        metadata = store.head(where).orElseThrow().metadata();
        // inside segment 6 of 8: past the first 256 KiB the gateway reads before it sends the status line
        stored[stored.length - SEGMENT - 100] ^= 0x40;
        store.put(where, metadata, out -> out.write(stored));

        // the whole object: the status line is out before segment 6 is reached, so the response is cut short
        final byte[] received = new byte[plaintext.length];
        final int[] got = {0};
        assertThatThrownBy(() -> acme.getObject(b -> b.bucket("scratch").key("tampered.bin"), (resp, in) -> {
            int r;
            while ((r = in.read(received, got[0], received.length - got[0])) > 0) {
                got[0] += r;
            }
            return null;
        })).isInstanceOf(Exception.class);
        assertThat(got[0]).isLessThan(plaintext.length);
        assertThat(Arrays.copyOf(received, got[0])).isEqualTo(Arrays.copyOf(plaintext, got[0]));
        assertCutShort("scratch", "tampered.bin");
        // a range inside the tampered segment: refused before any byte
        assertThatThrownBy(() -> get(acme, "scratch", "tampered.bin", "bytes=" + (7 * SEGMENT - 50) + "-" + (7 * SEGMENT - 40)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(500));
        // the intact first segment is still served
        assertThat(get(acme, "scratch", "tampered.bin", "bytes=0-9")).isEqualTo(Arrays.copyOf(plaintext, 10));
        assertThat(trail.audits).anySatisfy(e -> {
            assertThat(e.getObjectKey()).isEqualTo("tampered.bin");
            assertThat(e.getReasonCode()).isEqualTo("AUTHENTICATION_FAILED");
        });
    }

    @Test
    void aPlaintextChecksumIsReturnedForTheSdkToCheckAndVerifiedOnEveryWholeRead() throws Exception {
        final byte[] data = write("acme", "scratch", "summed.bin", 3 * SEGMENT + 5, p -> new PlaintextChecksum(
                ChecksumAlgorithm.SHA256, java.nio.ByteBuffer.wrap(sha256(p))));
        final ResponseBytes<GetObjectResponse> got = acme.getObject(b -> b.bucket("scratch").key("summed.bin")
                .checksumMode(ChecksumMode.ENABLED), ResponseTransformer.toBytes()); // the SDK verifies it itself
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().checksumSHA256()).isEqualTo(java.util.Base64.getEncoder().encodeToString(sha256(data)));
        assertThat(acme.headObject(b -> b.bucket("scratch").key("summed.bin").checksumMode(ChecksumMode.ENABLED))
                .checksumSHA256()).isEqualTo(got.response().checksumSHA256());
        // a range carries no whole-object checksum (the SDK would otherwise check the range against it)
        assertThat(acme.getObject(b -> b.bucket("scratch").key("summed.bin").range("bytes=0-9")
                .checksumMode(ChecksumMode.ENABLED), ResponseTransformer.toBytes()).asByteArray())
                .isEqualTo(Arrays.copyOf(data, 10));

        // BLAKE2b-256 is checked by the gateway (S3 has no header for it)
        final byte[] blake = write("acme", "scratch", "blake.bin", 1000, p -> new PlaintextChecksum(
                ChecksumAlgorithm.BLAKE2B_256, java.nio.ByteBuffer.wrap(blake2b(p))));
        assertThat(get(acme, "scratch", "blake.bin", null)).isEqualTo(blake);

        // metadata that says another checksum (altered in the store): the whole read is cut before its last bytes,
        // and the connection is closed (a plain HTTP client sees the body end short, not a stall)
        write("acme", "scratch", "lying.bin", 2 * SEGMENT, p -> new PlaintextChecksum(ChecksumAlgorithm.BLAKE2B_256,
                java.nio.ByteBuffer.wrap(new byte[32])));
        assertThatThrownBy(() -> get(acme, "scratch", "lying.bin", null)).isInstanceOf(Exception.class);
        assertCutShort("scratch", "lying.bin");
        assertThat(trail.audits).anySatisfy(e -> {
            assertThat(e.getObjectKey()).isEqualTo("lying.bin");
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        });
    }

    /** A presigned GET with the JDK's HTTP client: the response must end early with an I/O error, within seconds. */
    private static void assertCutShort(final String bucket, final String key) throws Exception {
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(gateway.endpoint()).region(Region.US_EAST_1)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACME_KEY, ACME_SECRET)))
                .build()) {
            final URI url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray()))
                    .isInstanceOf(IOException.class).isNotInstanceOf(java.net.http.HttpTimeoutException.class);
        }
    }

    private static byte[] sha256(final byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] blake2b(final byte[] data) {
        final org.bouncycastle.crypto.digests.Blake2bDigest d = new org.bouncycastle.crypto.digests.Blake2bDigest(256);
        d.update(data, 0, data.length);
        final byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Test
    void aPresignedUrlWorksWithAPlainHttpClientAndExpires() throws Exception {
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(gateway.endpoint()).region(Region.US_EAST_1)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACME_KEY, ACME_SECRET)))
                .build()) {
            final URI url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("invoices").key("2026/q1 report.pdf"))).url().toURI();
            final HttpResponse<byte[]> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo(written.get("acme/invoices/2026/q1 report.pdf"));
            final URI forged = URI.create(url.toString().replace("q1%20report", "q2%20report"));
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(forged).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        }
    }
}
