package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.retry.RetryPolicy;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 event notifications as input, with payloads in the forms MinIO's {@code notify_kafka} target and AWS's S3 event
 * message structure take (from their documentation): ObjectCreated records become staged uploads, routed to a tenant
 * and logical bucket, with keys holding spaces, {@code +}, unicode and escapes decoded as S3 encodes them; other kinds
 * are ignored and counted; what is not a notification, or names an object no route takes, is dead-lettered.
 */
class S3NotificationTopologyTest {

    private static final String NOTIFICATIONS = "minio.events";

    @TempDir
    Path dir;

    private LocalKeyStoreKms local;
    private CachingKeyManagementService kms;
    private ObjectStore store;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> notifications;
    private TestOutputTopic<String, ObjectEncrypted> objects;
    private TestOutputTopic<String, AuditEvent> audit;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final String scope = "notification-test-" + UUID.randomUUID();

    @BeforeEach
    void start() {
        local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "notification-test".toCharArray());
        local.createKey("kek-default");
        final Map<String, String> config = new HashMap<>();
        config.put("sealstream.keys.default", "kek-default");
        config.put("sealstream.instance-id", "test");
        config.put("sealstream.staging.buckets", "staging");
        config.put("sealstream.notifications.topic", NOTIFICATIONS);
        config.put("sealstream.notifications.route.acme.source", "s3://staging/acme/in/");
        config.put("sealstream.notifications.route.acme.tenant", "acme");
        config.put("sealstream.notifications.route.acme.bucket", "invoices");
        config.put("sealstream.notifications.route.acme-media.source", "s3://staging/acme/in/media/");
        config.put("sealstream.notifications.route.acme-media.tenant", "acme");
        config.put("sealstream.notifications.route.acme-media.bucket", "media");
        final PipelineConfig pipeline = PipelineConfig.fromConfig(config);
        kms = KmsClients.builder(local).retryPolicy(RetryPolicy.none()).build();
        store = ObjectStores.fromConfig(Map.of("sealstream.store.type", "filesystem",
                "sealstream.store.filesystem.root", dir.resolve("objects").toString()));
        final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://" + scope);
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "notification-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(SealstreamTopology.build(pipeline, new SealstreamTopology.Components(kms, store,
                serdeConfig, Clock.systemUTC()).withMeters(new PipelineMeters(meters))), props);
        notifications = driver.createInputTopic(NOTIFICATIONS, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        objects = driver.createOutputTopic(Topics.OBJECTS, Serdes.String().deserializer(), serde(ObjectEncrypted.class, serdeConfig).deserializer());
        audit = driver.createOutputTopic(Topics.AUDIT, Serdes.String().deserializer(), serde(AuditEvent.class, serdeConfig).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS, Serdes.ByteArray().deserializer(),
                serde(DeadLetter.class, serdeConfig).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        kms.close();
        store.close();
        local.close();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> serde(
            final Class<T> type, final Map<String, Object> config) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    private byte[] stage(final String key, final String content) throws IOException {
        final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store.put(new ObjectLocation("staging", key), Map.of(), out -> out.write(bytes));
        return bytes;
    }

    /** A record as AWS's S3 event message structure has it (docs: "Event message structure", version 2.1). */
    private static String awsRecord(final String eventName, final String encodedKey, final long size, final String sequencer) {
        return """
                {"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-west-2","eventTime":"2026-12-06T19:37:27.192Z",
                 "eventName":"%s","userIdentity":{"principalId":"AWS:AIDAINPONIXQXHT3IKHL2"},
                 "requestParameters":{"sourceIPAddress":"205.255.255.255"},
                 "responseElements":{"x-amz-request-id":"D82B88E5F771F645","x-amz-id-2":"vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo="},
                 "s3":{"s3SchemaVersion":"1.0","configurationId":"ObjectCreatedToKafka",
                       "bucket":{"name":"staging","ownerIdentity":{"principalId":"A3I5XTEXAMAI3E"},"arn":"arn:aws:s3:::staging"},
                       "object":{"key":"%s","size":%d,"eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":"096fKKXTRTtl3on89fVO.nfljtsv6qko","sequencer":"%s"}}}
                """.formatted(eventName, encodedKey, size, sequencer);
    }

    private void sendAws(final String... records) {
        notifications.pipeInput("k".getBytes(StandardCharsets.UTF_8),
                ("{\"Records\":[" + String.join(",", records) + "]}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void awsObjectCreatedRecordsBecomeEncryptedObjectsWithTheirKeysDecoded() throws Exception {
        final Map<String, byte[]> expected = new HashMap<>();
        expected.put("my report 2026.pdf", stage("acme/in/my report 2026.pdf", "spaces"));
        expected.put("a+b=c.txt", stage("acme/in/a+b=c.txt", "a plus"));
        expected.put("ünïcødé/€.txt", stage("acme/in/ünïcødé/€.txt", "unicode"));
        expected.put("100% sure.txt", stage("acme/in/100% sure.txt", "an escape"));
        sendAws(awsRecord("ObjectCreated:Put", "acme/in/my+report+2026.pdf", 6, "0A1"),
                awsRecord("ObjectCreated:CompleteMultipartUpload", "acme/in/a%2Bb%3Dc.txt", 6, "0A2"),
                awsRecord("ObjectCreated:Put", "acme/in/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E2%82%AC.txt", 7, "0A3"),
                awsRecord("ObjectCreated:Copy", "acme/in/100%25+sure.txt", 9, "0A4"));

        final Map<String, ObjectEncrypted> out = objects.readValuesToList().stream()
                .collect(Collectors.toMap(ObjectEncrypted::getObjectKey, o -> o));
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (final ObjectEncrypted o : out.values()) {
            assertThat(o.getTenant()).isEqualTo("acme");
            assertThat(o.getBucket()).isEqualTo("invoices");
            assertThat(o.getStagingLocation()).isEqualTo("s3://staging/acme/in/" + o.getObjectKey());
            final ObjectIdentity identity = new ObjectIdentity("acme", "invoices", o.getObjectKey());
            try (InputStream plain = new EnvelopeEncryption(kms).decryptingStream(
                    store.get(ObjectLocation.parse(o.getDestination())), identity.encryptionContext())) {
                assertThat(plain.readAllBytes()).as(o.getObjectKey()).isEqualTo(expected.get(o.getObjectKey()));
            }
        }
        assertThat(audit.readValuesToList()).filteredOn(a -> a.getAction() == AuditAction.ENCRYPT)
                .hasSize(4).allSatisfy(a -> {
                    assertThat(a.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
                    assertThat(a.getActor()).isEqualTo("AWS:AIDAINPONIXQXHT3IKHL2");
                });
        assertThat(counter("converted", "ObjectCreated")).isEqualTo(4);
    }

    @Test
    void minioNotifyKafkaMessagesAreReadTooWithTheLongestRouteWinning() throws Exception {
        final byte[] content = stage("acme/in/media/clip one.mp4", "a clip");
        // MinIO's notify_kafka value: EventName, Key and the same Records, the key escaped with '/' as %2F.
        final String minio = """
                {"EventName":"s3:ObjectCreated:Put","Key":"staging/acme/in/media/clip one.mp4","Records":[
                 {"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2026-12-06T19:40:01.045Z",
                  "eventName":"s3:ObjectCreated:Put","userIdentity":{"principalId":"minio-uploader"},
                  "requestParameters":{"principalId":"minio-uploader","region":"","sourceIPAddress":"127.0.0.1"},
                  "responseElements":{"x-amz-request-id":"17E6A7F1B2C3D4E5","x-minio-origin-endpoint":"http://127.0.0.1:9000"},
                  "s3":{"s3SchemaVersion":"1.0","configurationId":"Config",
                        "bucket":{"name":"staging","ownerIdentity":{"principalId":"minio-uploader"},"arn":"arn:aws:s3:::staging"},
                        "object":{"key":"acme%2Fin%2Fmedia%2Fclip+one.mp4","size":6,"eTag":"2b6f7c8e0a1d","contentType":"video/mp4",
                                  "userMetadata":{"content-type":"video/mp4"},"sequencer":"17E6A7F1B3000001"}},
                  "source":{"host":"127.0.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70"}}]}
                """;
        notifications.pipeInput("staging/acme/in/media/clip one.mp4".getBytes(StandardCharsets.UTF_8),
                minio.getBytes(StandardCharsets.UTF_8));
        // delivered twice (at-least-once notification targets): still one object
        notifications.pipeInput("staging/acme/in/media/clip one.mp4".getBytes(StandardCharsets.UTF_8),
                minio.getBytes(StandardCharsets.UTF_8));

        final List<ObjectEncrypted> out = objects.readValuesToList();
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.getBucket()).isEqualTo("media"); // acme/in/media/ is longer than acme/in/
            assertThat(o.getObjectKey()).isEqualTo("clip one.mp4");
            assertThat(o.getContentType()).isEqualTo("video/mp4");
            assertThat(o.getPlaintextSize()).isEqualTo(content.length);
        });
    }

    @Test
    void otherKindsAreIgnoredAndCountedAndBadMessagesAreDeadLettered() throws Exception {
        stage("acme/in/kept.txt", "x");
        sendAws(awsRecord("ObjectRemoved:Delete", "acme/in/kept.txt", 0, "0B1"),
                awsRecord("ObjectRestore:Completed", "acme/in/kept.txt", 1, "0B2"));
        notifications.pipeInput("t".getBytes(StandardCharsets.UTF_8), ("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\","
                + "\"Time\":\"2026-12-06T19:00:00.000Z\",\"Bucket\":\"staging\",\"RequestId\":\"5582815E1AEA5ADF\"}")
                .getBytes(StandardCharsets.UTF_8));
        notifications.pipeInput("bad".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        notifications.pipeInput("bad".getBytes(StandardCharsets.UTF_8), "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        sendAws(awsRecord("ObjectCreated:Put", "globex/in/theirs.txt", 1, "0B3")); // no route takes it
        sendAws(awsRecord("ObjectCreated:Put", "acme/in/bad%ZZescape", 1, "0B4"));

        assertThat(objects.isEmpty()).isTrue();
        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getReasonCode)
                .containsExactly("MALFORMED_EVENT", "MALFORMED_EVENT", "INVALID_FIELD", "MALFORMED_EVENT");
        assertThat(audit.readValuesToList()).hasSize(4).allSatisfy(a -> {
            assertThat(a.getAction()).isEqualTo(AuditAction.ENCRYPT);
            assertThat(a.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        });
        assertThat(counter("ignored", "ObjectRemoved")).isEqualTo(1);
        assertThat(counter("ignored", "ObjectRestore")).isEqualTo(1);
        assertThat(counter("ignored", "TestEvent")).isEqualTo(1);
        assertThat(store.head(new ObjectLocation("staging", "acme/in/kept.txt"))).isPresent();
    }

    private double counter(final String result, final String kind) {
        final var c = meters.find(PipelineMeters.NOTIFICATIONS).tag("result", result).tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }
}
