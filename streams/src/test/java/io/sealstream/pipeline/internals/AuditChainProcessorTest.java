package io.sealstream.pipeline.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.audit.AuditChain;
import io.sealstream.audit.AuditCheckpoint;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.SigningKeys;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import io.sealstream.audit.AuditTrailVerifier;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.serde.MockSchemaRegistry;
import io.sealstream.serde.SpecificAvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chainer on its own, with records from several pending partitions interleaved as one stream thread would see
 * them: one independent, contiguous chain per partition, each going to the audit partition of the same number.
 */
class AuditChainProcessorTest {

    private static final String PENDING = "sealstream.audit.pending";

    private final String scope = "chain-test-" + UUID.randomUUID();
    private SpecificAvroSerde<AuditEvent> serde;
    private MockProcessorContext<Object, Object> context;
    private KeyValueStore<Integer, byte[]> heads;
    private AuditChainProcessor processor;
    private final Map<Integer, Long> offsets = new HashMap<>();

    @BeforeEach
    void start() {
        serde = new SpecificAvroSerde<>(AuditEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + scope), false);
        context = new MockProcessorContext<>();
        heads = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AuditChainProcessor.HEADS_STORE),
                Serdes.Integer(), Serdes.ByteArray()).withLoggingDisabled().build();
        heads.init(context.getStateStoreContext(), heads);
        context.addStateStore(heads);
        processor = new AuditChainProcessor(PipelineConfig.fromConfig(Map.of("sealstream.instance-id", "t",
                "sealstream.audit.checkpoint-records", "5")), serde.deserializer(), Clock.systemUTC(),
                new KmsCheckpointSigner(signingKeys, "audit"), io.sealstream.pipeline.PipelineMeters.unexported());
        processor.init(context);
    }

    /** A signing key held "in the KMS": tests see only signatures and the public key. */
    private final KeyPair signingPair = ed25519();
    /** Set by a test: the key was shredded (destroyed at the KMS) while the pipeline runs. */
    private volatile boolean signingKeyShredded;
    private final SigningKeys signingKeys = new SigningKeys() {
        @Override
        public KekRef createSigningKey(final String keyId) {
            throw new UnsupportedOperationException("the test's key exists");
        }

        @Override
        public KekRef currentSigningKey(final String keyId) {
            return new KekRef("test", keyId, "1");
        }

        @Override
        public byte[] sign(final KekRef key, final byte[] message) {
            if (signingKeyShredded) {
                throw new io.sealstream.kms.KeyNotFoundException("KEK 'audit' not found in the test KMS");
            }
            try {
                final Signature signer = Signature.getInstance(ALGORITHM);
                signer.initSign(signingPair.getPrivate());
                signer.update(message);
                return signer.sign();
            } catch (final java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public PublicKey publicKey(final KekRef key) {
            return signingPair.getPublic();
        }
    };

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> checkpointLines() {
        return context.forwarded(AuditChainProcessor.CHECKPOINT_SINK).stream()
                .map(f -> (String) f.record().value()).toList();
    }

    /**
     * The chainer signs a partition's head every {@code checkpoint-records} records and, on its interval, any head that
     * moved since; the checkpoints verify with the public key and cover the whole trail, which then verifies clean.
     */
    @Test
    void headsAreSignedEveryNRecordsAndOnTheIntervalAndCoverTheTrail() {
        for (int i = 0; i < 12; i++) {
            pending(0, event("e-" + i));
        }
        pending(1, event("other"));
        assertThat(checkpointLines()).extracting(l -> AuditCheckpoint.parse(l).sequence()).containsExactly(4L, 9L);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());

        final List<AuditCheckpoint> checkpoints = checkpointLines().stream().map(AuditCheckpoint::parse).toList();
        assertThat(checkpoints).extracting(c -> c.partition() + "@" + c.sequence())
                .as("the idle heads once each, not again on the second tick").containsExactly("0@4", "0@9", "0@11", "1@0");
        assertThat(checkpoints).allSatisfy(c -> {
            assertThat(c.verifiedBy(signingPair.getPublic())).isTrue();
            assertThat(c.topic()).isEqualTo("sealstream.audit");
            assertThat(c.keyRef()).isEqualTo("test:audit@1");
        });
        assertThat(context.forwarded(AuditChainProcessor.CHECKPOINT_SINK).get(0).record().key())
                .isEqualTo("sealstream.audit/0");

        final AuditTrailVerifier verifier = new AuditTrailVerifier("sealstream.audit", List.of(), false,
                new AuditTrailVerifier.Checkpoints(List.of(signingPair.getPublic()), checkpointLines()));
        for (int p = 0; p < 2; p++) {
            final int partition = p;
            final io.sealstream.audit.PartitionCheck check = verifier.partition(p, false);
            final List<AuditEvent> chain = chained().stream().filter(c -> c.partition() == partition)
                    .map(AuditChainProcessor.Chained::event).toList();
            for (int i = 0; i < chain.size(); i++) {
                check.record(i, chain.get(i));
            }
        }
        assertThat(verifier.report().problems()).isEmpty();
    }

    @AfterEach
    void stop() {
        serde.close();
        MockSchemaRegistry.dropScope(scope);
    }

    private static AuditEvent event(final String id) {
        return AuditEvent.newBuilder().setAuditId(id).setTime(Instant.ofEpochMilli(1_767_225_600_000L))
                .setAction(AuditAction.DECRYPT).setOutcome(AuditOutcome.SUCCESS).setActor("bob")
                .setService("sealstream-cli/test").setLocation("s3://b/" + id).build();
    }

    private void pending(final int partition, final byte[] value) {
        final long offset = offsets.merge(partition, 2L, Long::sum); // 2, 4, 6…: transaction markers in between
        context.setRecordMetadata(PENDING, partition, offset);
        processor.process(new Record<>(("k-" + offset).getBytes(StandardCharsets.UTF_8), value, 1_000L + offset));
    }

    private void pending(final int partition, final AuditEvent event) {
        pending(partition, serde.serializer().serialize(PENDING, event));
    }

    private List<AuditChainProcessor.Chained> chained() {
        return context.forwarded(AuditChainProcessor.AUDIT_SINK).stream()
                .map(f -> (AuditChainProcessor.Chained) f.record().value()).toList();
    }

    @Test
    void interleavedPartitionsGetOneContiguousChainEachOnTheSamePartitionNumber() {
        final Random random = new Random(3);
        final int[] perPartition = new int[3];
        for (int i = 0; i < 60; i++) {
            final int p = random.nextInt(3);
            perPartition[p]++;
            pending(p, event("e-" + i));
        }
        final List<AuditChainProcessor.Chained> out = chained();
        assertThat(out).hasSize(60);

        final AuditTrailVerifier verifier = new AuditTrailVerifier("sealstream.audit", List.of(), false, null);
        for (int p = 0; p < 3; p++) {
            final int partition = p;
            final List<AuditEvent> chain = out.stream().filter(c -> c.partition() == partition)
                    .map(AuditChainProcessor.Chained::event).toList();
            assertThat(chain).hasSize(perPartition[p]);
            assertThat(chain).extracting(AuditEvent::getChainSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, perPartition[p]).boxed().toList());
            final io.sealstream.audit.PartitionCheck check = verifier.partition(p, false);
            for (int i = 0; i < chain.size(); i++) {
                check.record(i, chain.get(i));
            }
            final byte[] head = heads.get(p);
            assertThat(AuditChainProcessor.sequenceOf(head)).isEqualTo(perPartition[p] - 1);
            assertThat(AuditChainProcessor.hashOf(head)).isEqualTo(AuditChain.bytes(chain.get(chain.size() - 1).getHash()));
        }
        final AuditTrailVerifier.Report report = verifier.report();
        assertThat(report.problems()).isEmpty();
        assertThat(report.records()).isEqualTo(60);
        // The output keeps the pending record's key and timestamp.
        final var first = context.forwarded(AuditChainProcessor.AUDIT_SINK).get(0).record();
        assertThat(first.key()).isEqualTo("k-2");
        assertThat(first.timestamp()).isEqualTo(1_002L);
    }

    @Test
    void chainFieldsAWriterSetAreIgnored() {
        final AuditEvent forged = event("forged");
        forged.setChainSequence(1000L);
        forged.setPreviousHash(java.nio.ByteBuffer.wrap(new byte[32]));
        forged.setHash(java.nio.ByteBuffer.wrap(new byte[32]));
        pending(0, event("first"));
        pending(0, forged);
        assertThat(chained()).extracting(c -> c.event().getChainSequence()).containsExactly(0L, 1L);
        assertThat(AuditChain.expectedHash(chained().get(1).event()))
                .isEqualTo(AuditChain.bytes(chained().get(1).event().getHash()));
    }

    @Test
    void anOversizedPendingEventFromAnyProducerIsDeadLetteredWithinLimitsAndAFailureIsChainedInItsPlace() {
        // Anyone with produce rights on the pending topic can write a valid event of nearly the broker's limit; chained
        // as it is, it would not fit the audit topic and every retry would stop the thread again.
        final AuditEvent huge = event("huge");
        huge.setMessage("m".repeat(900_000));
        pending(2, event("before"));
        final long offset = offsets.merge(2, 2L, Long::sum);
        context.setRecordMetadata(PENDING, 2, offset);
        processor.process(new Record<>(new byte[1024 * 1024], serde.serializer().serialize(PENDING, huge), 1L));
        pending(2, event("after"));

        final List<AuditChainProcessor.Chained> out = chained();
        assertThat(out).extracting(c -> c.event().getChainSequence()).containsExactly(0L, 1L, 2L);
        final AuditEvent placeholder = out.get(1).event();
        assertThat(placeholder.getReasonCode()).isEqualTo("EVENT_TOO_LARGE");
        assertThat(placeholder.getMessage()).contains("sealstream.audit.max-event-bytes").hasSizeLessThan(4_000);
        final var chainedRecord = context.forwarded(AuditChainProcessor.AUDIT_SINK).get(1).record();
        assertThat(((String) chainedRecord.key()).length()).as("key of the chained record").isLessThan(4_000);
        assertThat(out.get(2).event().getAuditId()).isEqualTo("after");

        final var dead = context.forwarded(AuditChainProcessor.DEAD_LETTER_SINK);
        assertThat(dead).hasSize(1);
        final DeadLetter letter = (DeadLetter) dead.get(0).record().value();
        assertThat(letter.getReasonCode()).isEqualTo("EVENT_TOO_LARGE");
        assertThat(letter.getValueTruncated()).isTrue();
        assertThat(letter.getValue().remaining()).isEqualTo(io.sealstream.pipeline.RecordLimits.DEFAULT_DLQ_VALUE_BYTES);
        assertThat(letter.getKeyTruncated()).isTrue();
        assertThat((byte[]) dead.get(0).record().key()).hasSize(io.sealstream.pipeline.RecordLimits.DEFAULT_DLQ_KEY_BYTES);
    }

    @Test
    void anUnreadablePendingRecordIsDeadLetteredAndAFailureIsChainedInItsPlace() {
        pending(1, event("before"));
        pending(1, "not avro".getBytes(StandardCharsets.UTF_8));
        pending(1, event("after"));

        final List<AuditChainProcessor.Chained> out = chained();
        assertThat(out).extracting(c -> c.event().getChainSequence()).containsExactly(0L, 1L, 2L);
        final AuditEvent placeholder = out.get(1).event();
        assertThat(placeholder.getAuditId()).isEqualTo("AUDIT-UNREADABLE:" + PENDING + "/1@4");
        assertThat(placeholder.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        assertThat(placeholder.getReasonCode()).isEqualTo("MALFORMED_EVENT");
        assertThat(placeholder.getSource()).isEqualTo(PENDING + "/1@4");
        final List<DeadLetter> dead = context.forwarded(AuditChainProcessor.DEAD_LETTER_SINK).stream()
                .map(f -> (DeadLetter) f.record().value()).toList();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getTopic()).isEqualTo(PENDING);
            assertThat(d.getOffset()).isEqualTo(4);
            assertThat(d.getReasonCode()).isEqualTo("MALFORMED_EVENT");
        });
    }

    @Test
    void moreWritersPartitionsThanAuditPartitionsStopsTheChainer() {
        final AuditChainProcessor.SamePartition partitioner = new AuditChainProcessor.SamePartition();
        final AuditChainProcessor.Chained onTwo = new AuditChainProcessor.Chained(2, event("x"));
        assertThat(partitioner.partitions("sealstream.audit", "k", onTwo, 3)).contains(java.util.Set.of(2));
        assertThatThrownBy(() -> partitioner.partitions("sealstream.audit", "k", onTwo, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("same number of partitions");
    }

    @Test
    void aHeadThisClassDidNotWriteIsRefused() {
        heads.put(0, new byte[5]);
        assertThatThrownBy(() -> pending(0, event("x"))).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Shredding the signing key's KEK while the pipeline runs (KeyLifecycleContractIT shreds the default KEK, which
     * signs by default) must not stop the chainer: the trail goes on unsigned, and verify then reports the records no
     * checkpoint covers.
     */
    @Test
    void aSigningKeyShreddedWhileRunningLeavesTheTrailGoingUnsignedInsteadOfStoppingThePipeline() {
        pending(0, event("before"));
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());
        assertThat(checkpointLines()).hasSize(1);

        signingKeyShredded = true;
        for (int i = 0; i < 6; i++) {
            pending(0, event("after-" + i)); // crosses checkpoint-records=5
        }
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());

        assertThat(context.forwarded(AuditChainProcessor.AUDIT_SINK)).hasSize(7);
        assertThat(checkpointLines()).as("nothing signed after the shredding").hasSize(1);
    }
}
