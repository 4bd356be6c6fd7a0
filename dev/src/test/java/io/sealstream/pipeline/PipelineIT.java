package io.sealstream.pipeline;

import io.sealstream.objects.ObjectIdentity;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.events.StagedPayload;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on real services: the KRaft broker, Apicurio Registry through its Confluent API, and S3Proxy speaking
 * S3 with SigV4. Uploads of every size from 0 bytes to 100 MiB land encrypted and decrypt to the originals; poison
 * goes to the dead-letter topic while good events keep flowing; everything reads back through the registry.
 */
class PipelineIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void inlineAndStagedUploadsFromZeroBytesTo100MiBLandEncryptedAndDecryptToTheOriginals() throws Exception {
        final PipelineFixture f = new PipelineFixture(dir);
        final Map<String, byte[]> expectedSha = new HashMap<>();
        final List<StagedPayload> stagedPayloads = new java.util.ArrayList<>();
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            int sent = 0;
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                final Random random = new Random(7);
                for (int size : new int[] {0, 1, 1000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200 * 1024}) {
                    final byte[] data = new byte[size];
                    random.nextBytes(data);
                    final String key = "inline-" + size;
                    expectedSha.put(key, PipelineFixture.sha256().digest(data));
                    f.send(producer, upload("evt-" + key, size % 2 == 0 ? "acme" : "globex", key, inline(data)));
                    sent++;
                }
                for (long size : new long[] {0, 1, 5L << 20, (16L << 20) + 1, 100L << 20}) {
                    final String key = "staged-" + size;
                    final StagedPayload staged = f.stage(store, key, size, expectedSha);
                    stagedPayloads.add(staged);
                    f.send(producer, upload("evt-" + key, "acme", key, staged));
                    sent++;
                }
            }
            final int total = sent;
            final List<ConsumerRecord<byte[], ObjectEncrypted>> objects = f.readUntil(f.topics.objects(),
                    ObjectEncrypted.class, r -> r.size() >= total, TIMEOUT);
            assertThat(objects).hasSize(total);

            final EnvelopeEncryption envelope = new EnvelopeEncryption(app.kms());
            for (ConsumerRecord<byte[], ObjectEncrypted> r : objects) {
                final ObjectEncrypted o = r.value();
                final ObjectLocation where = ObjectLocation.parse(o.getDestination());
                assertThat(where.bucket()).isEqualTo(f.destinationBucket);
                try (InputStream in = store.get(where)) {
                    assertThat(ByteBuffer.wrap(EnvelopeDecryptor.ciphertextDigest(in))).isEqualTo(o.getCiphertextDigest());
                }
                final ObjectIdentity identity = new ObjectIdentity(o.getTenant(), o.getBucket(), o.getObjectKey());
                try (InputStream plain = envelope.decryptingStream(store.get(where), identity.encryptionContext())) {
                    assertThat(PipelineFixture.sha256(plain)).as(o.getObjectKey()).isEqualTo(expectedSha.get(o.getObjectKey()));
                }
                assertThat(o.getKek().getKeyId()).isEqualTo(o.getTenant().equals("acme")
                        ? PipelineFixture.ACME_KEK : PipelineFixture.DEFAULT_KEK);
            }
            final List<ConsumerRecord<byte[], AuditEvent>> audit = f.readUntil(f.topics.audit(), AuditEvent.class,
                    r -> PipelineFixture.encrypts(r) >= total, TIMEOUT);
            assertThat(audit).filteredOn(r -> r.value().getAction() == AuditAction.ENCRYPT).hasSize(total).allSatisfy(r -> {
                assertThat(r.value().getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
                assertThat(r.value().getDekId()).isNotBlank();
            });
            // Staged plaintext does not stay at rest: each one deleted once its ciphertext was committed, audited.
            f.assertStagedPlaintextRemoved(store, stagedPayloads, TIMEOUT);
            final List<ConsumerRecord<byte[], RotationEvent>> rotation = f.readUntil(f.topics.rotation(),
                    RotationEvent.class, r -> r.size() >= 2, TIMEOUT);
            assertThat(rotation).extracting(r -> r.value().getKind()).containsOnly(RotationKind.DEK_CREATED);
            assertThat(rotation.stream().map(r -> r.value().getDekId()).collect(Collectors.toSet()))
                    .isEqualTo(objects.stream().map(r -> r.value().getDekId()).collect(Collectors.toSet()));
        }
    }

    @Test
    void everyPoisonKindIsDeadLetteredWithItsReasonWhileGoodEventsKeepFlowing() throws Exception {
        final PipelineFixture f = new PipelineFixture(dir);
        f.config.put("sealstream.keys.tenant.initech", "kek-missing");
        final Map<String, String> expected = new TreeMap<>();
        int good = 0;
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            final StagedPayload real = f.stage(store, "real.bin", 4096, new HashMap<>());
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                final Object[][] poison = {
                        {"p-garbage", null, "MALFORMED_EVENT"},
                        {"p-unknown-schema", null, "UNKNOWN_SCHEMA"},
                        {"p-invalid", upload("p-invalid", "../x", "k", inline(new byte[1])), "INVALID_FIELD"},
                        {"p-too-big", upload("p-too-big", "acme", "k", inline(new byte[300 * 1024])), "INLINE_TOO_LARGE"},
                        {"p-missing", upload("p-missing", "acme", "k",
                                new StagedPayload("s3://" + f.stagingBucket + "/acme/nope", 5L, null, null)), "STAGING_NOT_FOUND"},
                        {"p-size", upload("p-size", "acme", "k",
                                new StagedPayload(real.getLocation(), 4095L, null, null)), "STAGING_SIZE_MISMATCH"},
                        {"p-sha", upload("p-sha", "acme", "k",
                                new StagedPayload(real.getLocation(), 4096L, ByteBuffer.wrap(new byte[32]), null)), "CHECKSUM_MISMATCH"},
                        {"p-no-kek", upload("p-no-kek", "initech", "k", inline(new byte[1])), "KEY_NOT_FOUND"},
                };
                for (Object[] p : poison) {
                    final String key = (String) p[0];
                    final byte[] value = switch (key) {
                        case "p-garbage" -> "not avro at all".getBytes(StandardCharsets.UTF_8);
                        case "p-unknown-schema" -> new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 0};
                        default -> f.serde(io.sealstream.events.ObjectUploaded.class).serializer()
                                .serialize(f.topics.uploads(), (io.sealstream.events.ObjectUploaded) p[1]);
                    };
                    producer.send(new ProducerRecord<>(f.topics.uploads(), key.getBytes(StandardCharsets.UTF_8), value));
                    expected.put(key, (String) p[2]);
                    f.send(producer, upload("good-after-" + key, "globex", "after-" + key, inline(new byte[100])));
                    good++;
                }
            }
            final List<ConsumerRecord<byte[], DeadLetter>> dead = f.readUntil(f.topics.deadLetters(), DeadLetter.class,
                    r -> r.size() >= expected.size(), TIMEOUT);
            final Map<String, String> actual = new TreeMap<>();
            dead.forEach(r -> actual.put(new String(r.key(), StandardCharsets.UTF_8), r.value().getReasonCode()));
            assertThat(actual).isEqualTo(expected);
            final int goodCount = good;
            assertThat(f.readUntil(f.topics.objects(), ObjectEncrypted.class, r -> r.size() >= goodCount, TIMEOUT))
                    .hasSize(goodCount);
            final List<ConsumerRecord<byte[], AuditEvent>> audit = f.readUntil(f.topics.audit(), AuditEvent.class,
                    r -> PipelineFixture.encrypts(r) >= goodCount + expected.size(), TIMEOUT);
            assertThat(audit.stream().filter(r -> r.value().getOutcome() == AuditOutcome.FAILURE)
                    .map(r -> r.value().getReasonCode()).sorted().toList())
                    .isEqualTo(expected.values().stream().sorted().toList());
            // The failed checksum left nothing at its destination.
            assertThat(store.head(new ObjectLocation(f.destinationBucket, "acme/it/k"))).isEmpty();
        }
    }

    /**
     * S3 event notifications as input on the real broker: a MinIO {@code notify_kafka} message for a staged object
     * becomes the tenant's encrypted object (exactly once, though delivered twice), a removal is ignored, and the
     * staged plaintext is deleted after the commit.
     */
    @Test
    void aBucketNotificationOnTheRealBrokerBecomesAnEncryptedObjectOnce() throws Exception {
        final PipelineFixture f = new PipelineFixture(dir);
        final String notifications = "notifications-" + f.id;
        f.config.put("sealstream.notifications.topic", notifications);
        f.config.put("sealstream.notifications.route.acme.source", "s3://" + f.stagingBucket + "/acme/incoming/");
        f.config.put("sealstream.notifications.route.acme.tenant", "acme");
        f.config.put("sealstream.notifications.route.acme.bucket", "inbox");
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            final Map<String, byte[]> sha = new HashMap<>();
            final StagedPayload staged = f.stage(store, "incoming/q1 report+draft.pdf", 3L << 20, sha);
            final String message = ("{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"%s/acme/incoming/q1 report+draft.pdf\","
                    + "\"Records\":[{\"eventVersion\":\"2.0\",\"eventSource\":\"minio:s3\",\"eventTime\":\"2026-12-06T20:00:00.000Z\","
                    + "\"eventName\":\"s3:ObjectCreated:Put\",\"userIdentity\":{\"principalId\":\"minio-uploader\"},"
                    + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":\"%s\"},\"object\":{"
                    + "\"key\":\"acme%%2Fincoming%%2Fq1+report%%2Bdraft.pdf\",\"size\":%d,\"eTag\":\"e1\","
                    + "\"contentType\":\"application/pdf\",\"sequencer\":\"17E6A7F1B3000001\"}}}]}")
                    .formatted(f.stagingBucket, f.stagingBucket, 3L << 20);
            final String removal = message.replace("s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete")
                    .replace("17E6A7F1B3000001", "17E6A7F1B3000002");
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                for (final String m : List.of(message, message, removal)) { // delivered twice, then a removal
                    producer.send(new ProducerRecord<>(notifications, "k".getBytes(StandardCharsets.UTF_8),
                            m.getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            final List<ConsumerRecord<byte[], ObjectEncrypted>> objects = f.readUntil(f.topics.objects(),
                    ObjectEncrypted.class, r -> !r.isEmpty(), TIMEOUT);
            Thread.sleep(2000); // a second copy would be committed by now
            assertThat(f.readUntil(f.topics.objects(), ObjectEncrypted.class, r -> true, TIMEOUT)).hasSize(1);
            final ObjectEncrypted o = objects.get(0).value();
            assertThat(o.getTenant()).isEqualTo("acme");
            assertThat(o.getBucket()).isEqualTo("inbox");
            assertThat(o.getObjectKey()).isEqualTo("q1 report+draft.pdf");
            assertThat(o.getContentType()).isEqualTo("application/pdf");
            assertThat(o.getStagingLocation()).isEqualTo(staged.getLocation());
            final ObjectIdentity identity = new ObjectIdentity("acme", "inbox", "q1 report+draft.pdf");
            try (InputStream plain = new EnvelopeEncryption(app.kms()).decryptingStream(
                    store.get(ObjectLocation.parse(o.getDestination())), identity.encryptionContext())) {
                assertThat(PipelineFixture.sha256(plain)).isEqualTo(sha.get("incoming/q1 report+draft.pdf"));
            }
            f.assertStagedPlaintextRemoved(store, List.of(staged), TIMEOUT);
            assertThat(f.countUncommitted(f.topics.deadLetters())).isZero();
        }
    }
}
