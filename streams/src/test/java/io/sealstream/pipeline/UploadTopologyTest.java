package io.sealstream.pipeline;

import io.sealstream.objects.ObjectIdentity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.retry.RetryPolicy;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.pipeline.RotationListener;
import io.sealstream.pipeline.TransientFailureException;
import io.sealstream.serde.MockSchemaRegistry;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectContentWriter;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.ObjectStores;
import io.sealstream.store.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import io.sealstream.events.ChecksumAlgorithm;
import io.sealstream.events.PlaintextChecksum;
import io.sealstream.objects.ObjectMetadata;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The topology's logic on Kafka's TopologyTestDriver, with the real KMS client, envelope and filesystem store. */
class UploadTopologyTest {

    private static final String DEFAULT_KEK = "kek-default";
    private static final String ACME_KEK = "kek-acme";

    @TempDir
    Path dir;

    private final String scope = "topology-test-" + UUID.randomUUID();
    private final List<RotationEvent> rotation = new ArrayList<>();
    /** How many more KMS calls fail as if the KMS were unreachable. */
    private final AtomicInteger kmsFailuresLeft = new AtomicInteger();
    /** How many more KMS calls are refused (a disabled key, access denied): not transient, not "not found". */
    private final AtomicInteger kmsRefusalsLeft = new AtomicInteger();
    private LocalKeyStoreKms local;
    private CachingKeyManagementService kms;
    private ObjectStore store;
    private FlakyStore flaky;
    private Map<String, Object> serdeConfig;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> uploads;
    private TestOutputTopic<String, ObjectEncrypted> objects;
    private TestOutputTopic<String, AuditEvent> audit;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;
    private SpecificAvroSerde<ObjectUploaded> uploadSerde;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meterRegistry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    @BeforeEach
    void start() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "topology-test-pass".toCharArray());
        local.createKey(DEFAULT_KEK);
        local.createKey(ACME_KEK);
        final Map<String, String> config = new HashMap<>();
        config.put("sealstream.keys.default", DEFAULT_KEK);
        config.put("sealstream.keys.tenant.acme", ACME_KEK);
        config.put("sealstream.keys.tenant.initech", "kek-that-does-not-exist");
        config.put("sealstream.inline.max-bytes", "4KiB");
        config.put("sealstream.retry.initial-backoff", "1ms");
        config.put("sealstream.retry.max-backoff", "5ms");
        config.put("sealstream.retry.max-block", "500ms");
        config.put("sealstream.instance-id", "test-instance");
        config.put("sealstream.staging.buckets", "staging");
        config.put("sealstream.store.reuse-existing-min-bytes", "1KiB");
        final PipelineConfig pipeline = PipelineConfig.fromConfig(config);
        kms = KmsClients.builder(kmsWithOutages(local)).retryPolicy(RetryPolicy.none())
                .listener(new RotationListener(rotation::add, pipeline.service(), Clock.systemUTC()))
                .build();
        store = ObjectStores.fromConfig(Map.of("sealstream.store.type", "filesystem",
                "sealstream.store.filesystem.root", dir.resolve("objects").toString()));
        flaky = new FlakyStore(store);
        serdeConfig = Map.of("schema.registry.url", "mock://" + scope);
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(SealstreamTopology.build(pipeline,
                new SealstreamTopology.Components(kms, flaky, serdeConfig, Clock.systemUTC())
                        .withMeters(new PipelineMeters(meterRegistry))), props);
        uploads = driver.createInputTopic(Topics.UPLOADS, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        objects = driver.createOutputTopic(Topics.OBJECTS, Serdes.String().deserializer(), serde(ObjectEncrypted.class).deserializer());
        audit = driver.createOutputTopic(Topics.AUDIT, Serdes.String().deserializer(), serde(AuditEvent.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS, Serdes.ByteArray().deserializer(),
                serde(DeadLetter.class).deserializer());
        uploadSerde = serde(ObjectUploaded.class);
    }

    @AfterEach
    void stop() {
        kmsFailuresLeft.set(0);
        kmsRefusalsLeft.set(0);
        driver.close();
        kms.close();
        store.close();
        MockSchemaRegistry.dropScope(scope);
    }

    /** The real provider, behind a switch that makes it unreachable. */
    private KeyManagementService kmsWithOutages(final KeyManagementService provider) {
        return (KeyManagementService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyManagementService.class, io.sealstream.kms.SigningKeys.class}, (proxy, method, args) -> {
                    if (kmsFailuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                        throw new KmsUnavailableException("KMS unreachable (test)");
                    }
                    if (kmsRefusalsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                        throw new io.sealstream.kms.KmsException("AccessDeniedException: the key is disabled (test)");
                    }
                    try {
                        return method.invoke(provider, args);
                    } catch (final InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> serde(final Class<T> type) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(serdeConfig, false);
        return serde;
    }

    private static ObjectUploaded upload(final String id, final String tenant, final String key, final Object payload) {
        return ObjectUploaded.newBuilder().setEventId(id).setEventTime(Instant.now()).setTenant(tenant)
                .setBucket("invoices").setObjectKey(key).setUploader("alice@" + tenant).setPayload(payload).build();
    }

    private static ObjectUploaded withUploader(final ObjectUploaded u, final String uploader) {
        u.setUploader(uploader);
        return u;
    }

    private static InlinePayload inline(final byte[] data) {
        return new InlinePayload(ByteBuffer.wrap(data), null);
    }

    private void send(final ObjectUploaded u) {
        uploads.pipeInput(u.getEventId().getBytes(StandardCharsets.UTF_8), uploadSerde.serializer().serialize(Topics.UPLOADS, u));
    }

    private static byte[] random(final int size) {
        final byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private byte[] decryptStored(final ObjectEncrypted o, final ObjectIdentity identity) throws IOException {
        try (InputStream in = new EnvelopeEncryption(kms).decryptingStream(store.get(ObjectLocation.parse(o.getDestination())),
                identity.encryptionContext())) {
            return in.readAllBytes();
        }
    }

    private ObjectLocation stage(final String key, final byte[] data) throws IOException {
        final ObjectLocation at = new ObjectLocation("staging", key);
        store.put(at, Map.of(), out -> out.write(data));
        return at;
    }

    /** The original bytes of one part of a sealed dead letter, opened as {@code sealstream dlq show} does. */
    private byte[] unsealed(final DeadLetter d, final String part) {
        assertThat(d.getSealed()).isTrue();
        final ByteBuffer sealed = part.equals(DeadLetterSealing.PART_KEY) ? d.getKey() : d.getValue();
        try {
            return new io.sealstream.envelope.EnvelopeEncryption(kms).decrypt(bytes(sealed),
                    DeadLetterSealing.context(d.getTopic(), d.getPartition(), d.getOffset(), part));
        } catch (final io.sealstream.envelope.EnvelopeException e) {
            throw new AssertionError("the sealed " + part + " does not open: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(final ByteBuffer b) {
        final byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void anInlineUploadIsEncryptedStoredAndAnnouncedWithItsAuditEvent() throws Exception {
        final byte[] data = random(1000);
        send(upload("evt-1", "acme", "2026/11/a.pdf", inline(data)));

        final ObjectEncrypted o = objects.readValue();
        assertThat(o.getEventId()).isEqualTo("evt-1");
        assertThat(o.getDestination()).isEqualTo("s3://sealstream/acme/invoices/2026/11/a.pdf");
        assertThat(o.getPlaintextSize()).isEqualTo(1000);
        assertThat(o.getKek().getKeyId()).isEqualTo(ACME_KEK);
        assertThat(o.getFormatVersion()).isEqualTo(1);
        final ObjectLocation where = ObjectLocation.parse(o.getDestination());
        final StoredObject head = store.head(where).orElseThrow();
        assertThat(o.getCiphertextSize()).isEqualTo(head.size());
        try (InputStream in = store.get(where)) {
            assertThat(bytes(o.getCiphertextDigest())).isEqualTo(EnvelopeDecryptor.ciphertextDigest(in));
        }
        assertThat(decryptStored(o, new ObjectIdentity("acme", "invoices", "2026/11/a.pdf"))).isEqualTo(data);
        assertThat(head.metadata()).containsEntry(ObjectMetadata.EVENT_ID, "evt-1")
                .containsEntry(ObjectMetadata.DEK_ID, o.getDekId())
                .containsEntry(ObjectMetadata.KEK_ID, ACME_KEK);

        final AuditEvent a = audit.readValue();
        assertThat(a.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(a.getActor()).isEqualTo("alice@acme");
        assertThat(a.getDekId()).isEqualTo(o.getDekId());
        assertThat(a.getLocation()).isEqualTo(o.getDestination());
        assertThat(a.getService()).isEqualTo("sealstream/test-instance");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void theCiphertextIsBoundToTheObjectsIdentity() throws Exception {
        send(upload("evt-ctx", "acme", "a.pdf", inline(random(10))));
        final ObjectEncrypted o = objects.readValue();
        assertThatThrownBy(() -> decryptStored(o, new ObjectIdentity("globex", "invoices", "a.pdf")))
                .isInstanceOf(EnvelopeException.class);
        assertThatThrownBy(() -> decryptStored(o, new ObjectIdentity("acme", "invoices", "b.pdf")))
                .isInstanceOf(EnvelopeException.class);
    }

    @Test
    void aStagedUploadStreamsFromStagingAndItsChecksumIsVerified() throws Exception {
        final byte[] data = random(300_000);
        final ObjectLocation staged = stage("globex/in/big.bin", data);
        final byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
        send(upload("evt-staged", "globex", "big.bin",
                new StagedPayload(staged.toUri(), (long) data.length, ByteBuffer.wrap(sha), null)));

        final ObjectEncrypted o = objects.readValue();
        assertThat(o.getKek().getKeyId()).isEqualTo(DEFAULT_KEK);
        assertThat(o.getPlaintextSize()).isEqualTo(data.length);
        assertThat(decryptStored(o, new ObjectIdentity("globex", "invoices", "big.bin"))).isEqualTo(data);
    }

    @Test
    void aDeclaredChecksumIsVerifiedAndRecordedInTheEventAndTheObjectMetadata() throws Exception {
        final byte[] small = random(3000);
        final byte[] blake = blake2b256(small);
        send(upload("evt-blake", "acme", "blake.bin",
                new InlinePayload(ByteBuffer.wrap(small), checksum(ChecksumAlgorithm.BLAKE2B_256, blake))));
        final byte[] data = random(70_000);
        final ObjectLocation staged = stage("globex/in/sha.bin", data);
        final byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
        send(upload("evt-sha", "globex", "sha.bin", new StagedPayload(staged.toUri(), (long) data.length, null,
                checksum(ChecksumAlgorithm.SHA256, sha))));

        final Map<String, ObjectEncrypted> out = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            final ObjectEncrypted o = objects.readValue();
            out.put(o.getEventId(), o);
        }
        final ObjectEncrypted inline = out.get("evt-blake");
        assertThat(inline.getPlaintextChecksum().getAlgorithm()).isEqualTo(ChecksumAlgorithm.BLAKE2B_256);
        assertThat(inline.getPlaintextChecksum().getValue()).isEqualTo(ByteBuffer.wrap(blake));
        assertThat(inline.getStagingLocation()).isNull();
        assertThat(store.head(ObjectLocation.parse(inline.getDestination())).orElseThrow().metadata())
                .containsEntry(ObjectMetadata.PLAINTEXT_CHECKSUM, "blake2b-256:" + HexFormat.of().formatHex(blake));
        final ObjectEncrypted stagedOut = out.get("evt-sha");
        assertThat(stagedOut.getPlaintextChecksum().getAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
        assertThat(stagedOut.getStagingLocation()).isEqualTo(staged.toUri());
        assertThat(store.head(ObjectLocation.parse(stagedOut.getDestination())).orElseThrow().metadata())
                .containsEntry(ObjectMetadata.PLAINTEXT_CHECKSUM, "sha256:" + HexFormat.of().formatHex(sha));
        // BLAKE2b-256 as RFC 7693 defines it (the empty input's known digest), not some other BLAKE
        assertThat(HexFormat.of().formatHex(blake2b256(new byte[0])))
                .isEqualTo("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    }

    private static byte[] blake2b256(final byte[] data) {
        final org.bouncycastle.crypto.digests.Blake2bDigest d = new org.bouncycastle.crypto.digests.Blake2bDigest(256);
        d.update(data, 0, data.length);
        final byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static PlaintextChecksum checksum(final ChecksumAlgorithm algorithm, final byte[] value) {
        return new PlaintextChecksum(algorithm, ByteBuffer.wrap(value));
    }

    @Test
    void zeroByteObjectsRoundTrip() throws Exception {
        final ObjectLocation staged = stage("acme/in/empty", new byte[0]);
        send(upload("evt-empty-staged", "acme", "empty-1", new StagedPayload(staged.toUri(), 0L, null, null)));
        send(upload("evt-empty-inline", "acme", "empty-2", inline(new byte[0])));
        for (String key : List.of("empty-1", "empty-2")) {
            final ObjectEncrypted o = objects.readValue();
            assertThat(o.getPlaintextSize()).isZero();
            assertThat(decryptStored(o, new ObjectIdentity("acme", "invoices", key))).isEmpty();
        }
    }

    static Stream<Arguments> poison() {
        return Stream.of(
                Arguments.of("bytes that are not the wire format", ReasonCode.MALFORMED_EVENT),
                Arguments.of("a schema id the registry does not know", ReasonCode.UNKNOWN_SCHEMA),
                Arguments.of("a record with no value", ReasonCode.MALFORMED_EVENT),
                Arguments.of("a tenant that would escape its directory", ReasonCode.INVALID_FIELD),
                Arguments.of("an object key with '..'", ReasonCode.INVALID_FIELD),
                Arguments.of("a malformed staging location", ReasonCode.INVALID_FIELD),
                Arguments.of("an object key with a backslash", ReasonCode.INVALID_FIELD),
                Arguments.of("a destination key longer than S3 allows", ReasonCode.INVALID_FIELD),
                Arguments.of("a path segment longer than a file name may be", ReasonCode.INVALID_FIELD),
                Arguments.of("a staging bucket that is not a staging bucket", ReasonCode.INVALID_FIELD),
                Arguments.of("another tenant's staging object", ReasonCode.INVALID_FIELD),
                Arguments.of("an object key with a right-to-left override", ReasonCode.INVALID_FIELD),
                Arguments.of("an object key with a zero-width space", ReasonCode.INVALID_FIELD),
                Arguments.of("an object key with a slash look-alike", ReasonCode.INVALID_FIELD),
                Arguments.of("an uploader with a right-to-left override", ReasonCode.INVALID_FIELD),
                Arguments.of("an oversized inline payload", ReasonCode.INLINE_TOO_LARGE),
                Arguments.of("a missing staging object", ReasonCode.STAGING_NOT_FOUND),
                Arguments.of("a staging object of another size", ReasonCode.STAGING_SIZE_MISMATCH),
                Arguments.of("a wrong SHA-256", ReasonCode.CHECKSUM_MISMATCH),
                Arguments.of("an inline payload with a wrong BLAKE2b-256", ReasonCode.CHECKSUM_MISMATCH),
                Arguments.of("a staged payload with a wrong BLAKE2b-256", ReasonCode.CHECKSUM_MISMATCH),
                Arguments.of("a checksum of an algorithm this build does not know", ReasonCode.INVALID_FIELD),
                Arguments.of("a checksum of 31 bytes", ReasonCode.INVALID_FIELD),
                Arguments.of("a sha256 and a checksum that disagree", ReasonCode.INVALID_FIELD),
                Arguments.of("a tenant whose KEK does not exist", ReasonCode.KEY_NOT_FOUND));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("poison")
    void eachPoisonKindIsDeadLetteredWithItsReasonAndTheNextEventStillFlows(final String kind, final ReasonCode reason)
            throws Exception {
        final byte[] key = ("poison-key-" + kind).getBytes(StandardCharsets.UTF_8);
        final byte[] value = poisonValue(kind);
        final RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-42".getBytes(StandardCharsets.UTF_8));
        uploads.pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(1_700_000_000_000L)));
        send(upload("evt-good-after", "acme", "after.pdf", inline(random(10))));

        final TestRecord<byte[], DeadLetter> dead = deadLetters.readRecord();
        final DeadLetter d = dead.value();
        assertThat(d.getReasonCode()).isEqualTo(reason.name());
        assertThat(d.getMessage()).isNotBlank().doesNotContain("\n");
        assertThat(dead.key()).isEqualTo(key);
        assertThat(d.getValue() == null ? null : unsealed(d, DeadLetterSealing.PART_VALUE)).isEqualTo(value);
        assertThat(unsealed(d, DeadLetterSealing.PART_KEY)).isEqualTo(key);
        assertThat(d.getTopic()).isEqualTo(Topics.UPLOADS);
        assertThat(d.getOffset()).isZero();
        assertThat(d.getTimestamp().toEpochMilli()).isEqualTo(1_700_000_000_000L);
        assertThat(d.getHeaders()).singleElement().satisfies(h -> {
            assertThat(h.getKey()).isEqualTo("trace-id");
            assertThat(bytes(h.getValue())).isEqualTo("t-42".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(deadLetters.isEmpty()).isTrue();

        final AuditEvent failure = audit.readValue();
        assertThat(failure.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        assertThat(failure.getReasonCode()).isEqualTo(reason.name());
        assertThat(failure.getSource()).isEqualTo(Topics.UPLOADS + "/0@0");
        assertThat(audit.readValue().getOutcome()).isEqualTo(AuditOutcome.SUCCESS);

        assertThat(objects.readValuesToList()).singleElement()
                .satisfies(o -> assertThat(o.getEventId()).isEqualTo("evt-good-after"));
        // Nothing but the good object was stored: a failed checksum leaves no ciphertext behind.
        assertThat(store.head(new ObjectLocation("sealstream", "acme/invoices/tampered.bin"))).isEmpty();
    }

    private byte[] poisonValue(final String kind) throws Exception {
        final byte[] data = random(100);
        final ObjectLocation staged = stage("acme/in/data", data);
        final ObjectUploaded u = switch (kind) {
            case "bytes that are not the wire format" -> null;
            case "a schema id the registry does not know" -> null;
            case "a record with no value" -> null;
            case "a tenant that would escape its directory" -> upload("p1", "../acme", "x", inline(data));
            case "an object key with '..'" -> upload("p2", "acme", "a/../../b", inline(data));
            case "a malformed staging location" -> upload("p3", "acme", "x", new StagedPayload("http://nope", 1L, null, null));
            case "an oversized inline payload" -> upload("p4", "acme", "x", inline(new byte[5000]));
            case "an object key with a backslash" -> upload("p9", "acme", "a\\b", inline(data));
            case "a destination key longer than S3 allows" -> upload("p10", "acme",
                    String.join("/", java.util.Collections.nCopies(6, "k".repeat(200))), inline(data));
            case "a path segment longer than a file name may be" -> upload("p11", "acme", "d/" + "n".repeat(256), inline(data));
            case "a staging bucket that is not a staging bucket" -> upload("p12", "acme", "x",
                    new StagedPayload("s3://someone-elses-bucket/secret.bin", 1L, null, null));
            // globex names acme's staged object: encrypted into globex's space, globex could read acme's upload.
            case "another tenant's staging object" -> upload("p13", "globex", "x",
                    new StagedPayload(staged.toUri(), 100L, null, null));
            // Displayed as "invoice-fdp.exe" while it is "invoice-exe.pdf": keys must read as what they are.
            case "an object key with a right-to-left override" -> upload("p14", "acme", "invoice-\u202Efdp.exe",
                    inline(data));
            case "an object key with a zero-width space" -> upload("p15", "acme", "re\u200Bport.pdf", inline(data));
            // Looks like acme/x/payroll.pdf in a listing, but is one segment.
            case "an object key with a slash look-alike" -> upload("p16", "acme", "x\u2215payroll.pdf", inline(data));
            case "an uploader with a right-to-left override" -> withUploader(upload("p17", "acme", "x", inline(data)),
                    "alice\u202E@acme");
            case "a missing staging object" -> upload("p5", "acme", "x",
                    new StagedPayload("s3://staging/acme/never-uploaded", 1L, null, null));
            case "a staging object of another size" -> upload("p6", "acme", "x", new StagedPayload(staged.toUri(), 99L, null, null));
            case "a wrong SHA-256" -> upload("p7", "acme", "tampered.bin",
                    new StagedPayload(staged.toUri(), 100L, ByteBuffer.wrap(new byte[32]), null));
            case "a tenant whose KEK does not exist" -> upload("p8", "initech", "x", inline(data));
            case "an inline payload with a wrong BLAKE2b-256" -> upload("p18", "acme", "x",
                    new InlinePayload(ByteBuffer.wrap(data), checksum(ChecksumAlgorithm.BLAKE2B_256, new byte[32])));
            case "a staged payload with a wrong BLAKE2b-256" -> upload("p19", "acme", "x", new StagedPayload(staged.toUri(),
                    100L, null, checksum(ChecksumAlgorithm.BLAKE2B_256, new byte[32])));
            case "a checksum of an algorithm this build does not know" -> upload("p20", "acme", "x",
                    new InlinePayload(ByteBuffer.wrap(data), checksum(ChecksumAlgorithm.UNKNOWN, new byte[32])));
            case "a checksum of 31 bytes" -> upload("p21", "acme", "x",
                    new InlinePayload(ByteBuffer.wrap(data), checksum(ChecksumAlgorithm.SHA256, new byte[31])));
            case "a sha256 and a checksum that disagree" -> upload("p22", "acme", "x", new StagedPayload(staged.toUri(),
                    100L, ByteBuffer.wrap(new byte[32]), checksum(ChecksumAlgorithm.BLAKE2B_256, new byte[32])));
            default -> throw new IllegalArgumentException(kind);
        };
        if (u != null) {
            return uploadSerde.serializer().serialize(Topics.UPLOADS, u);
        }
        return switch (kind) {
            case "bytes that are not the wire format" -> "{\"json\": true}".getBytes(StandardCharsets.UTF_8);
            case "a schema id the registry does not know" -> new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
            default -> null;
        };
    }

    /**
     * A poison inline upload carries its plaintext in the record: the dead letter keeps it sealed under the quarantine
     * KEK, so the marker is nowhere in the dead-letter topic, and the sealed value opens only as this letter's value.
     */
    @Test
    void aPoisonInlineUploadsPlaintextIsNowhereInTheDeadLetterTopic() throws Exception {
        final byte[] marker = "MARKER-7f3a-plaintext-that-must-never-rest".getBytes(StandardCharsets.UTF_8);
        send(upload("evt-poison-marker", "acme", "a/../b", inline(marker)));

        final List<TestRecord<byte[], byte[]>> letters = raw(Topics.DEAD_LETTERS);
        assertThat(letters).hasSize(1);
        final byte[] onTheTopic = letters.get(0).value();
        assertThat(indexOf(onTheTopic, marker)).as("marker in the dead letter's bytes").isNegative();
        final DeadLetter d = serde(DeadLetter.class).deserializer().deserialize(Topics.DEAD_LETTERS, onTheTopic);
        assertThat(d.getReasonCode()).isEqualTo(ReasonCode.INVALID_FIELD.name());
        assertThat(d.getSealed()).isTrue();
        final byte[] original = unsealed(d, DeadLetterSealing.PART_VALUE);
        assertThat(indexOf(original, marker)).as("the original value, unsealed").isNotNegative();
        // Bound to this letter's part: the sealed value does not open as the key, nor as another offset's value.
        assertThatThrownBy(() -> new io.sealstream.envelope.EnvelopeEncryption(kms).decrypt(bytes(d.getValue()),
                DeadLetterSealing.context(d.getTopic(), d.getPartition(), d.getOffset(), DeadLetterSealing.PART_KEY)))
                .isInstanceOf(io.sealstream.envelope.EnvelopeException.class);
        assertThatThrownBy(() -> new io.sealstream.envelope.EnvelopeEncryption(kms).decrypt(bytes(d.getValue()),
                DeadLetterSealing.context(d.getTopic(), d.getPartition(), d.getOffset() + 1, DeadLetterSealing.PART_VALUE)))
                .isInstanceOf(io.sealstream.envelope.EnvelopeException.class);
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
        return -1;
    }

    @Test
    void theMetersCountEncryptsBytesRepeatsDeadLettersByReasonAndChainedAuditEvents() {
        final ObjectUploaded u = upload("evt-m1", "acme", "m1.pdf", inline(random(1000)));
        send(u);
        send(u);
        send(upload("evt-m2", "acme", "m2.pdf", inline(random(24))));
        uploads.pipeInput("bad".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});

        assertThat(meterRegistry.get(PipelineMeters.ENCRYPTED).counter().count()).isEqualTo(2);
        assertThat(meterRegistry.get(PipelineMeters.REPEATS).counter().count()).isEqualTo(1);
        assertThat(meterRegistry.get(PipelineMeters.PLAINTEXT_BYTES).counter().count()).isEqualTo(1024);
        assertThat(meterRegistry.get(PipelineMeters.ENCRYPT_LATENCY).timer().count()).isEqualTo(2);
        assertThat(meterRegistry.get(PipelineMeters.DEAD_LETTERS).tag("reason", "MALFORMED_EVENT")
                .tag("processor", "encrypt").counter().count()).isEqualTo(1);
        // Two successes and one failure, each chained once.
        assertThat(audit.readValuesToList()).hasSize(3);
        assertThat(meterRegistry.get(PipelineMeters.AUDIT_CHAINED).counter().count()).isEqualTo(3);
        assertThat(meterRegistry.get(PipelineMeters.AUDIT_CHAIN_LAG).timer().count()).isEqualTo(3);
    }

    @Test
    void anUploadsTraceHeadersTravelOntoItsObjectEventAndItsChainedAuditRecordButNoOtherHeaderDoes() {
        final String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        final org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        headers.add("tracestate", new byte[TraceHeaders.MAX_VALUE_BYTES + 1]);
        headers.add("x-private", "not for the audit topic".getBytes(StandardCharsets.UTF_8));
        final ObjectUploaded u = upload("evt-trace", "acme", "t.pdf", inline(random(10)));
        uploads.pipeInput(new org.apache.kafka.streams.test.TestRecord<>("evt-trace".getBytes(StandardCharsets.UTF_8),
                uploadSerde.serializer().serialize(Topics.UPLOADS, u), headers));

        final var object = objects.readRecord();
        final var chained = audit.readRecord();
        for (final org.apache.kafka.common.header.Headers h : List.of(object.headers(), chained.headers())) {
            assertThat(new String(h.lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo(traceparent);
            assertThat(h.lastHeader("tracestate")).as("longer than the limit: dropped").isNull();
            assertThat(h.lastHeader("x-private")).as("not named in sealstream.trace.headers").isNull();
        }
    }

    @Test
    void aRepeatedUploadEventIsEncryptedOnce() {
        final ObjectUploaded u = upload("evt-dup", "acme", "dup.pdf", inline(random(10)));
        send(u);
        send(u);
        assertThat(objects.readValuesToList()).hasSize(1);
        assertThat(audit.readValuesToList()).hasSize(1);
    }

    @Test
    void anObjectWrittenByAnAttemptThatDiedBeforeCommitIsDescribedNotRewritten() throws Exception {
        final ObjectUploaded u = upload("evt-crash", "acme", "crash.pdf", inline(random(2000)));
        // The first attempt: the object is written, then the instance dies before the transaction commits.
        final PipelineConfig pipeline = PipelineConfig.fromConfig(Map.of("sealstream.keys.default", DEFAULT_KEK,
                "sealstream.keys.tenant.acme", ACME_KEK, "sealstream.store.reuse-existing-min-bytes", "1KiB"));
        final var first = new io.sealstream.pipeline.internals.UploadEncryptor(kms, store, pipeline, Clock.systemUTC())
                .encrypt(u);
        final int putsBefore = flaky.puts.get();

        send(u);
        final ObjectEncrypted o = objects.readValue();
        assertThat(flaky.puts.get()).isEqualTo(putsBefore);
        assertThat(o.getCiphertextDigest()).isEqualTo(first.event().getCiphertextDigest());
        assertThat(o.getDekId()).isEqualTo(first.event().getDekId());
        assertThat(o.getCiphertextSize()).isEqualTo(first.event().getCiphertextSize());
    }

    @Test
    void aReplayedObjectBelowTheReuseThresholdIsSimplyWrittenAgainAndStillDescribedTruly() throws Exception {
        final ObjectUploaded u = upload("evt-small-crash", "acme", "small.txt", inline(random(100)));
        final PipelineConfig pipeline = PipelineConfig.fromConfig(Map.of("sealstream.keys.default", DEFAULT_KEK,
                "sealstream.store.reuse-existing-min-bytes", "1KiB"));
        new io.sealstream.pipeline.internals.UploadEncryptor(kms, store, pipeline, Clock.systemUTC()).encrypt(u);
        final int putsBefore = flaky.puts.get();

        send(u);
        final ObjectEncrypted o = objects.readValue();
        assertThat(flaky.puts.get()).isEqualTo(putsBefore + 1);
        try (InputStream in = store.get(ObjectLocation.parse(o.getDestination()))) {
            assertThat(bytes(o.getCiphertextDigest())).isEqualTo(EnvelopeDecryptor.ciphertextDigest(in));
        }
    }

    @Test
    void aNewUploadOfTheSameKeyReplacesTheObject() throws Exception {
        send(upload("evt-v1", "acme", "doc.txt", inline("version 1".getBytes(StandardCharsets.UTF_8))));
        send(upload("evt-v2", "acme", "doc.txt", inline("version 2".getBytes(StandardCharsets.UTF_8))));
        final List<ObjectEncrypted> both = objects.readValuesToList();
        assertThat(both).hasSize(2);
        assertThat(decryptStored(both.get(1), new ObjectIdentity("acme", "invoices", "doc.txt")))
                .isEqualTo("version 2".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aStoreOutageIsWaitedOutNotDeadLettered() {
        flaky.failuresLeft.set(3);
        send(upload("evt-outage", "acme", "outage.pdf", inline(random(10))));
        assertThat(objects.readValuesToList()).hasSize(1);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aLongStoreOutageGivesTheThreadWayWithoutDeadLetteringOrSkipping() {
        flaky.failuresLeft.set(Integer.MAX_VALUE);
        assertThatThrownBy(() -> send(upload("evt-down", "acme", "down.pdf", inline(random(10)))))
                .hasRootCauseInstanceOf(ObjectStoreUnavailableException.class)
                .satisfies(e -> assertThat(causes(e)).anyMatch(TransientFailureException.class::isInstance));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(objects.isEmpty()).isTrue();
        assertThat(audit.isEmpty()).isTrue();
    }

    @Test
    void aKmsOutageIsWaitedOutNotDeadLettered() {
        kmsFailuresLeft.set(3);
        send(upload("evt-kms-blip", "acme", "kms.pdf", inline(random(10))));
        assertThat(objects.readValuesToList()).hasSize(1);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aLongKmsOutageGivesTheThreadWayWithoutDeadLetteringOrSkipping() throws Exception {
        kmsFailuresLeft.set(Integer.MAX_VALUE);
        assertThatThrownBy(() -> send(upload("evt-kms-down", "acme", "kms-down.pdf", inline(random(10)))))
                .satisfies(e -> assertThat(causes(e)).anyMatch(TransientFailureException.class::isInstance)
                        .anyMatch(KmsUnavailableException.class::isInstance));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(objects.isEmpty()).isTrue();
        assertThat(store.head(new ObjectLocation("sealstream", "acme/invoices/kms-down.pdf"))).isEmpty();
    }

    /** Kafka's default {@code max.request.size}: every record the pipeline produces must fit it. */
    private static final int PRODUCER_MAX_REQUEST = 1024 * 1024;

    static Stream<Arguments> hostileRecords() {
        return Stream.of(
                Arguments.of("the broker's largest record: a 2 MiB inline upload", ReasonCode.INLINE_TOO_LARGE),
                Arguments.of("10,000 headers of 100 bytes", ReasonCode.MALFORMED_EVENT),
                Arguments.of("a key of invalid UTF-8", ReasonCode.MALFORMED_EVENT),
                Arguments.of("a 1 MiB key", ReasonCode.MALFORMED_EVENT),
                Arguments.of("a tombstone without a key", ReasonCode.MALFORMED_EVENT),
                Arguments.of("an object key of 900,000 characters", ReasonCode.INVALID_FIELD),
                Arguments.of("a content type of 500,000 characters", ReasonCode.INVALID_FIELD),
                Arguments.of("an event id of 300,000 characters", ReasonCode.INVALID_FIELD),
                Arguments.of("an uploader of 400,000 characters with line breaks", ReasonCode.INVALID_FIELD),
                Arguments.of("a 1.5 MiB value of random bytes", ReasonCode.MALFORMED_EVENT));
    }

    /**
     * No input stops the pipeline: whatever the size of a poison record's value, key or headers, its dead letter and
     * FAILURE audit event fit the producer's limit (1 MiB by default; the broker takes records up to its own limit,
     * and a dead letter carrying such a record whole could never be produced). The letter keeps what fits, says how
     * much there was, and points at the original; the next upload flows.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("hostileRecords")
    void aHostileRecordOfAnySizeIsDeadLetteredWithinTheProducersLimitAndTheNextUploadFlows(final String kind,
                                                                                           final ReasonCode reason) {
        final RecordHeaders headers = new RecordHeaders();
        byte[] key = "acme/invoices/x".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[] {'x'};
        final ObjectUploaded valid = upload("evt-hostile", "acme", "x", inline(random(10)));
        switch (kind) {
            case "the broker's largest record: a 2 MiB inline upload" ->
                    value = uploadSerde.serializer().serialize(Topics.UPLOADS,
                            upload("evt-huge", "acme", "huge", inline(new byte[2 * 1024 * 1024 - 200])));
            case "10,000 headers of 100 bytes" -> {
                for (int i = 0; i < 10_000; i++) {
                    headers.add("h" + i, random(100));
                }
            }
            case "a key of invalid UTF-8" -> key = new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, 0};
            case "a 1 MiB key" -> key = random(1024 * 1024);
            case "a tombstone without a key" -> {
                key = null;
                value = null;
            }
            case "an object key of 900,000 characters" -> {
                valid.setObjectKey("k".repeat(900_000));
                value = uploadSerde.serializer().serialize(Topics.UPLOADS, valid);
            }
            case "a content type of 500,000 characters" -> {
                valid.setContentType("text/" + "x".repeat(500_000));
                value = uploadSerde.serializer().serialize(Topics.UPLOADS, valid);
            }
            case "an event id of 300,000 characters" -> {
                valid.setEventId("e".repeat(300_000));
                value = uploadSerde.serializer().serialize(Topics.UPLOADS, valid);
            }
            case "an uploader of 400,000 characters with line breaks" -> {
                valid.setUploader("mallory\nFAKE LOG LINE\n".repeat(20_000));
                value = uploadSerde.serializer().serialize(Topics.UPLOADS, valid);
            }
            case "a 1.5 MiB value of random bytes" -> {
                value = random(3 * 512 * 1024);
                value[0] = 'R'; // not the wire format's magic byte
            }
            default -> throw new IllegalArgumentException(kind);
        }
        uploads.pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(1_700_000_000_000L)));
        send(upload("evt-after-hostile", "acme", "after.pdf", inline(random(10))));

        final List<TestRecord<byte[], byte[]>> letters = raw(Topics.DEAD_LETTERS);
        assertThat(letters).hasSize(1);
        final TestRecord<byte[], byte[]> rawLetter = letters.get(0);
        assertThat(recordBytes(rawLetter)).as("dead letter size").isLessThan(PRODUCER_MAX_REQUEST);
        final DeadLetter d = serde(DeadLetter.class).deserializer().deserialize(Topics.DEAD_LETTERS, rawLetter.value());
        assertThat(d.getReasonCode()).isEqualTo(reason.name());
        assertThat(d.getMessage()).doesNotContain("\n").hasSizeLessThan(4_000);
        assertThat(d.getTopic()).isEqualTo(Topics.UPLOADS);
        assertThat(d.getOffset()).isZero();
        assertThat(d.getValueSize()).isEqualTo(value == null ? null : (long) value.length);
        assertThat(d.getKeySize()).isEqualTo(key == null ? null : (long) key.length);
        if (value != null) {
            final byte[] kept = unsealed(d, DeadLetterSealing.PART_VALUE);
            assertThat(d.getValueTruncated()).isEqualTo(value.length > RecordLimits.DEFAULT_DLQ_VALUE_BYTES);
            assertThat(kept).hasSize(Math.min(value.length, RecordLimits.DEFAULT_DLQ_VALUE_BYTES));
            assertThat(java.util.Arrays.equals(kept, 0, kept.length, value, 0, kept.length)).as("a prefix").isTrue();
        } else {
            assertThat(d.getValue()).isNull();
        }
        if (key != null) {
            assertThat(rawLetter.key()).hasSize(Math.min(key.length, RecordLimits.DEFAULT_DLQ_KEY_BYTES));
            assertThat(d.getKeyTruncated()).isEqualTo(key.length > RecordLimits.DEFAULT_DLQ_KEY_BYTES);
        } else {
            assertThat(rawLetter.key()).isNull();
        }
        if (kind.contains("headers")) {
            assertThat(d.getHeadersOmitted()).isPositive();
            assertThat(d.getHeaders().size() + d.getHeadersOmitted()).isEqualTo(10_000);
            assertThat(d.getHeaders().stream().mapToInt(h -> h.getKey().length() + h.getValue().remaining()).sum())
                    .isLessThanOrEqualTo(RecordLimits.DEFAULT_DLQ_HEADER_BYTES);
        }

        final List<TestRecord<byte[], byte[]>> auditRecords = raw(Topics.AUDIT);
        assertThat(auditRecords).hasSize(2).allSatisfy(r ->
                assertThat(recordBytes(r)).as("audit record size").isLessThan(64 * 1024));
        final AuditEvent failure = serde(AuditEvent.class).deserializer().deserialize(Topics.AUDIT,
                auditRecords.get(0).value());
        assertThat(failure.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        assertThat(failure.getReasonCode()).isEqualTo(reason.name());
        assertThat(String.valueOf(failure.getActor()) + failure.getObjectKey() + failure.getEventId())
                .doesNotContain("\n");
        assertThat(objects.readValuesToList()).singleElement()
                .satisfies(o -> assertThat(o.getEventId()).isEqualTo("evt-after-hostile"));
    }

    @Test
    void anUploadWhoseKeyIsNotUtf8IsEncryptedAsUsual() throws Exception {
        final ObjectUploaded u = upload("evt-binary-key", "acme", "bin.pdf", inline(random(10)));
        uploads.pipeInput(new byte[] {(byte) 0xff, 0, (byte) 0xc0}, uploadSerde.serializer().serialize(Topics.UPLOADS, u));
        assertThat(objects.readValue().getEventId()).isEqualTo("evt-binary-key");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aFailureNothingNamesDeadLettersItsRecordWithTheStackTraceInTheLogAndTheNextUploadFlows() {
        flaky.bugsLeft.set(1);
        send(upload("evt-bug", "acme", "bug.pdf", inline(random(10))));
        send(upload("evt-after-bug", "acme", "after-bug.pdf", inline(random(10))));
        final DeadLetter d = deadLetters.readValue();
        assertThat(d.getReasonCode()).isEqualTo(ReasonCode.PROCESSING_FAILED.name());
        assertThat(d.getMessage()).startsWith("IllegalStateException: index 7 out of bounds");
        assertThat(d.getEventId()).isEqualTo("evt-bug");
        assertThat(objects.readValuesToList()).singleElement()
                .satisfies(o -> assertThat(o.getEventId()).isEqualTo("evt-after-bug"));
    }

    @Test
    void aKmsThatRefusesTheChosenKekDeadLettersTheRecordInsteadOfStoppingEveryPartition() {
        kmsRefusalsLeft.set(1);
        send(upload("evt-refused", "acme", "refused.pdf", inline(random(10))));
        send(upload("evt-after-refusal", "globex", "after.pdf", inline(random(10))));
        final DeadLetter d = deadLetters.readValue();
        assertThat(d.getReasonCode()).isEqualTo(ReasonCode.KEY_UNUSABLE.name());
        assertThat(d.getMessage()).contains(ACME_KEK).contains("disabled");
        assertThat(objects.readValuesToList()).singleElement()
                .satisfies(o -> assertThat(o.getEventId()).isEqualTo("evt-after-refusal"));
    }

    @Test
    void aKmsThatRefusesThePipelineAltogetherIsWaitedForNotDeadLettered() {
        // Expired credentials: the KMS refuses the data key and will not even describe the KEK, twice; then access
        // is back. Nothing may be dead-lettered for that: it is every record's problem, not this one's.
        kmsRefusalsLeft.set(4);
        send(upload("evt-credentials", "acme", "credentials.pdf", inline(random(10))));
        assertThat(objects.readValuesToList()).singleElement()
                .satisfies(o -> assertThat(o.getEventId()).isEqualTo("evt-credentials"));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    private List<TestRecord<byte[], byte[]>> raw(final String topic) {
        return driver.createOutputTopic(topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
    }

    /** What the record costs against {@code max.request.size}: key, value, headers (plus framing, well below 1 KiB). */
    private static long recordBytes(final TestRecord<byte[], byte[]> r) {
        long n = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (final org.apache.kafka.common.header.Header h : r.headers()) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n + 1024;
    }

    private static List<Throwable> causes(final Throwable e) {
        final List<Throwable> all = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.add(t);
        }
        return all;
    }

    @Test
    void aNewDataKeyIsAnnouncedOnceAndServesManyObjects() {
        for (int i = 0; i < 20; i++) {
            send(upload("evt-r" + i, i % 2 == 0 ? "acme" : "globex", "r" + i, inline(random(10))));
        }
        final List<ObjectEncrypted> all = objects.readValuesToList();
        assertThat(all).hasSize(20);
        assertThat(all.stream().map(ObjectEncrypted::getDekId).distinct()).hasSize(2);
        assertThat(rotation).hasSize(2).allSatisfy(e -> assertThat(e.getKind()).isEqualTo(RotationKind.DEK_CREATED));
        assertThat(rotation.stream().map(e -> e.getKek().getKeyId())).containsExactlyInAnyOrder(ACME_KEK, DEFAULT_KEK);
        assertThat(kms.stats().kmsCalls()).isEqualTo(2);
    }

    @Test
    void auditEventsReachTheAuditTopicThroughThePendingTopicAsOneContiguousVerifiableChain() {
        for (int i = 0; i < 12; i++) {
            send(upload("evt-chain-" + i, i % 2 == 0 ? "acme" : "globex", "c" + i, inline(random(10 + i))));
            if (i % 4 == 3) {
                uploads.pipeInput(("poison-" + i).getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8));
            }
        }
        final List<AuditEvent> pending = driver.createOutputTopic(Topics.AUDIT_PENDING, Serdes.String().deserializer(),
                serde(AuditEvent.class).deserializer()).readValuesToList();
        final List<TestRecord<String, AuditEvent>> chained = audit.readRecordsToList();
        assertThat(pending).hasSize(15).allSatisfy(e -> {
            assertThat(e.getChainSequence()).isNull();
            assertThat(e.getHash()).isNull();
        });
        assertThat(chained).hasSize(15);
        assertThat(chained).extracting(r -> r.value().getAuditId())
                .containsExactlyElementsOf(pending.stream().map(AuditEvent::getAuditId).toList());
        assertThat(chained).extracting(r -> r.value().getChainSequence())
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 15).boxed().toList());
        assertThat(chained.stream().filter(r -> r.value().getOutcome() == AuditOutcome.FAILURE)).hasSize(3);

        // Once its interval passes, the chainer signs the head with the KMS's key: the trail is covered and verifies
        // against the published public key, and only against it.
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(11));
        final List<String> checkpoints = driver.createOutputTopic(Topics.AUDIT + Topics.CHECKPOINTS_SUFFIX,
                Serdes.String().deserializer(), Serdes.String().deserializer()).readValuesToList();
        assertThat(checkpoints).hasSize(1);
        assertThat(io.sealstream.audit.AuditCheckpoint.parse(checkpoints.get(0)).sequence()).isEqualTo(14);
        final java.security.PublicKey published = local.publicKey(local.currentSigningKey(DEFAULT_KEK));
        for (final boolean genuineKey : new boolean[] {true, false}) {
            final java.security.PublicKey trusted = genuineKey ? published
                    : local.publicKey(local.currentSigningKey(ACME_KEK));
            final io.sealstream.audit.AuditTrailVerifier verifier = new io.sealstream.audit.AuditTrailVerifier(
                    Topics.AUDIT, List.of(), false,
                    new io.sealstream.audit.AuditTrailVerifier.Checkpoints(List.of(trusted), checkpoints));
            final io.sealstream.audit.PartitionCheck check = verifier.partition(0, false);
            for (int i = 0; i < chained.size(); i++) {
                check.record(i, chained.get(i).value());
            }
            if (genuineKey) {
                assertThat(verifier.report().problems()).isEmpty();
            } else {
                assertThat(verifier.report().problems()).extracting(p -> p.kind()).containsExactlyInAnyOrder(
                        io.sealstream.audit.AuditTrailVerifier.ProblemKind.BAD_CHECKPOINT,
                        io.sealstream.audit.AuditTrailVerifier.ProblemKind.APPENDED);
            }
        }
        // The keys carry over: the destination for a success, the source coordinates for a failure.
        assertThat(chained.get(0).key()).isEqualTo("s3://sealstream/acme/invoices/c0");
    }

    @Test
    void noSecretOrPlaintextReachesAnOutputTopic() throws Exception {
        final byte[] marker = "PLAINTEXT-MARKER-4242".getBytes(StandardCharsets.UTF_8);
        send(upload("evt-secret", "acme", "s.txt", inline(marker)));
        send(upload("evt-secret-bad", "initech", "s.txt", inline(marker)));
        final ByteArrayOutputStream everything = new ByteArrayOutputStream();
        driver.producedTopicNames().forEach(topic -> {
            if (!topic.equals(Topics.DEAD_LETTERS)) {
                driver.createOutputTopic(topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer())
                        .readValuesToList().forEach(everything::writeBytes);
            }
        });
        assertThat(everything.size()).isGreaterThan(0);
        assertThat(new String(everything.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("PLAINTEXT-MARKER");
        assertThat(rotation.toString()).doesNotContain("PLAINTEXT-MARKER");
    }

    /** The real store, with a switchable outage and a put counter. */
    private static final class FlakyStore implements ObjectStore {
        final ObjectStore delegate;
        final AtomicInteger failuresLeft = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        /** How many more puts fail with an exception no code expects (a bug, as a record might trigger one). */
        final AtomicInteger bugsLeft = new AtomicInteger();

        FlakyStore(final ObjectStore delegate) {
            this.delegate = delegate;
        }

        private void maybeFail() throws ObjectStoreUnavailableException {
            if (failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                throw new ObjectStoreUnavailableException("store down (test)", null);
            }
        }

        @Override
        public StoredObject put(final ObjectLocation location, final Map<String, String> metadata,
                                final ObjectContentWriter writer) throws IOException {
            maybeFail();
            if (bugsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                throw new IllegalStateException("index 7 out of bounds for length 7 (test)");
            }
            puts.incrementAndGet();
            return delegate.put(location, metadata, writer);
        }

        @Override
        public Optional<StoredObject> head(final ObjectLocation location) throws IOException {
            maybeFail();
            return delegate.head(location);
        }

        @Override
        public InputStream get(final ObjectLocation location) throws IOException {
            maybeFail();
            return delegate.get(location);
        }

        @Override
        public void delete(final ObjectLocation location) throws IOException {
            delegate.delete(location);
        }

        @Override
        public java.util.List<String> list(final String bucket, final String prefix, final String startAfter,
                                           final int max) throws IOException {
            maybeFail();
            return delegate.list(bucket, prefix, startAfter, max);
        }

        @Override
        public String describe() {
            return "flaky " + delegate.describe();
        }

        @Override
        public void close() {
        }
    }
}
