package io.sealstream.pipeline.internals;
import io.sealstream.text.BoundedText;

import io.sealstream.audit.AuditChain;
import io.sealstream.audit.AuditCheckpoint;
import io.sealstream.audit.CheckpointSigner;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.state.KeyValueIterator;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.PipelineMeters;
import io.sealstream.pipeline.ReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chainer: reads audit events from pending partition p, links each to its predecessor ({@link AuditChain}) and
 * writes it to audit partition p. Its task is the only writer of audit partition p, and the chain's head (last
 * sequence and hash) lives in a state store whose changelog commits in the same transaction as the output record and
 * the input offset (exactly_once_v2). So after any crash the head and the audit partition agree: the retried record
 * gets the sequence the aborted attempt had, and no gap or fork can appear.
 *
 * <p>A pending record that cannot be read is dead-lettered, and a FAILURE event saying so is chained in its place,
 * so the trail shows it instead of silently skipping it, and one bad record cannot stop every audit partition.
 */
public final class AuditChainProcessor implements Processor<byte[], byte[], Object, Object> {

    public static final String AUDIT_SINK = "audit-chain-sink";
    public static final String DEAD_LETTER_SINK = "audit-chain-dlq-sink";
    /** Where signed checkpoints go: {@code <audit topic>.checkpoints}, one text line each ({@link AuditCheckpoint}). */
    public static final String CHECKPOINT_SINK = "audit-checkpoint-sink";
    /** Per pending partition: the last chained sequence (8 bytes) and its hash (32 bytes). */
    public static final String HEADS_STORE = "sealstream-audit-chain-heads";

    private static final Logger LOG = LoggerFactory.getLogger(AuditChainProcessor.class);
    private static final int HEAD_BYTES = Long.BYTES + AuditChain.HASH_BYTES;

    /** A chained event and the partition it must be written to (the pending partition it came from). */
    public record Chained(int partition, AuditEvent event) {
        public Chained {
            Objects.requireNonNull(event, "event");
        }
    }

    /** Sends each chained event to the audit partition with the pending partition's number. */
    public static final class SamePartition implements StreamPartitioner<String, Chained> {
        @Override
        public Optional<Set<Integer>> partitions(final String topic, final String key, final Chained value,
                                                 final int numPartitions) {
            if (value.partition() >= numPartitions) {
                // More pending than audit partitions: there is no single writer's partition to go to. Stop rather
                // than interleave two chains in one partition.
                throw new IllegalStateException("audit pending partition " + value.partition() + " has no partition "
                        + value.partition() + " in " + topic + " (" + numPartitions + " partitions): the pending "
                        + "and audit topics must have the same number of partitions");
            }
            return Optional.of(Set.of(value.partition()));
        }
    }

    /** Serialises a {@link Chained}'s event with the given (registry) serializer. */
    public static Serializer<Chained> serializer(final Serializer<AuditEvent> events) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(final String topic, final Chained data) {
                return data == null ? null : events.serialize(topic, data.event());
            }

            @Override
            public byte[] serialize(final String topic, final Headers headers, final Chained data) {
                return data == null ? null : events.serialize(topic, headers, data.event());
            }

            @Override
            public void close() {
                events.close();
            }
        };
    }

    private final PipelineConfig config;
    private final Deserializer<AuditEvent> deserializer;
    private final RetryLoop retry;
    private final Clock clock;
    private final CheckpointSigner signer;
    private final PipelineMeters meters;
    /** Per partition, the sequence the last checkpoint of this task named (none after a restart: re-signed once). */
    private final Map<Integer, Long> lastCheckpointed = new HashMap<>();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Integer, byte[]> heads;

    /** @param signer signs checkpoints of the heads; null: none (start-up has warned) */
    public AuditChainProcessor(final PipelineConfig config, final Deserializer<AuditEvent> deserializer,
                               final Clock clock, final CheckpointSigner signer, final PipelineMeters meters) {
        this.config = config;
        this.meters = meters;
        this.deserializer = deserializer;
        this.clock = clock;
        this.signer = signer;
        this.retry = new RetryLoop(config.retry(), clock, Thread::sleep);
    }

    @Override
    public void init(final ProcessorContext<Object, Object> ctx) {
        this.context = ctx;
        this.heads = ctx.getStateStore(HEADS_STORE);
        final Object guarantee = ctx.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (guarantee != null && !StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee.toString())) {
            LOG.error("processing.guarantee is {}: the audit chain needs exactly_once_v2, or a crash can leave a gap "
                    + "or a repeated sequence in the audit trail", guarantee);
        }
        if (signer != null) {
            // Also when idle: a head that moved since its last checkpoint is signed within one interval.
            ctx.schedule(config.checkpoints().interval(), PunctuationType.WALL_CLOCK_TIME, now -> checkpointMovedHeads());
        }
    }

    private void checkpointMovedHeads() {
        try (KeyValueIterator<Integer, byte[]> it = heads.all()) {
            while (it.hasNext()) {
                final KeyValue<Integer, byte[]> head = it.next();
                final long sequence = sequenceOf(head.value);
                if (sequence > lastCheckpointed.getOrDefault(head.key, -1L)) {
                    checkpoint(head.key, sequence, hashOf(head.value));
                }
            }
        }
    }

    /** Signs and writes one checkpoint, in the task's transaction (the KMS's outage is back-pressure). */
    private void checkpoint(final int partition, final long sequence, final byte[] hash) {
        final String topic = config.topics().audit();
        final AuditCheckpoint signed;
        try {
            signed = retry.run("signing the audit checkpoint of " + topic + "/" + partition,
                    () -> signer.sign(topic, partition, sequence, hash, clock.instant()));
        } catch (final PermanentFailureException | RuntimeException e) {
            if (e instanceof RuntimeException r && UploadProcessor.mustPropagate(r)) {
                throw r; // a KMS outage: back-pressure, the punctuation runs again
            }
            // A refusal for good (the signing key shredded or destroyed, a policy): the trail goes on; until a
            // checkpoint is signed again, verify reports its new records as not covered.
            LOG.error("cannot sign the audit checkpoint of {}/{} at sequence {}: {}", topic, partition, sequence,
                    RetryLoop.oneLine(e));
            return;
        }
        context.forward(new Record<>(topic + "/" + partition, signed.toLine(), clock.millis()), CHECKPOINT_SINK);
        lastCheckpointed.put(partition, sequence);
        meters.checkpointSigned();
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata source = context.recordMetadata().orElseThrow();
        final String where = source.topic() + "/" + source.partition() + "@" + source.offset();
        AuditEvent event;
        try {
            event = read(record, source, where);
        } catch (final PermanentFailureException e) {
            event = unreadable(record, source, where, e);
        }
        final int partition = source.partition();
        final byte[] head = heads.get(partition);
        final long sequence = head == null ? 0 : sequenceOf(head) + 1;
        // The first hash names the topic and partition, so the chain can not be replayed into another one.
        final byte[] previous = head == null ? AuditChain.genesisHash(config.topics().audit(), partition) : hashOf(head);
        final AuditEvent chained = AuditChain.link(event, sequence, previous);
        // Pending keys are written by anyone with produce rights: bounded like the rest of the record.
        final String key = record.key() == null ? null
                : BoundedText.clip(new String(record.key(), StandardCharsets.UTF_8), BoundedText.MAX_KEY_CHARS);
        // Output before the head: should the send fail, the head has not moved (under any guarantee).
        context.forward(new Record<>(key, new Chained(partition, chained), record.timestamp(),
                config.traceHeaders().carried(record.headers())), AUDIT_SINK);
        heads.put(partition, head(sequence, AuditChain.bytes(chained.getHash())));
        meters.auditChained(clock.millis() - record.timestamp());
        if (signer != null && sequence - lastCheckpointed.getOrDefault(partition, -1L) >= config.checkpoints().everyRecords()) {
            checkpoint(partition, sequence, AuditChain.bytes(chained.getHash()));
        }
    }

    /**
     * The pending event, or a {@link PermanentFailureException} for anything that makes it unfit for the chain: too
     * large to chain (its chained copy must fit the audit topic), unreadable, or failing in a way nothing names. A
     * registry outage propagates (retried), as do Kafka's own signals.
     */
    private AuditEvent read(final Record<byte[], byte[]> record, final RecordMetadata source, final String where)
            throws PermanentFailureException {
        if (record.value() != null && record.value().length > config.limits().auditEventBytes()) {
            throw new PermanentFailureException(ReasonCode.EVENT_TOO_LARGE, "the audit event has "
                    + record.value().length + " bytes, more than sealstream.audit.max-event-bytes="
                    + config.limits().auditEventBytes());
        }
        try {
            return retry.run("reading the audit event at " + where,
                    () -> RecordDecoder.decode(deserializer, source.topic(), record.headers(), record.value()));
        } catch (final RuntimeException e) {
            if (UploadProcessor.mustPropagate(e)) {
                throw e;
            }
            LOG.error("unexpected failure reading the audit event at {}; chaining a FAILURE in its place: {}", where,
                    BoundedText.trace(e));
            throw new PermanentFailureException(ReasonCode.PROCESSING_FAILED,
                    e.getClass().getSimpleName() + ": " + RetryLoop.oneLine(e));
        }
    }

    /** Dead-letters the unreadable pending record and returns the FAILURE event chained in its place. */
    private AuditEvent unreadable(final Record<byte[], byte[]> record, final RecordMetadata source, final String where,
                                  final PermanentFailureException e) {
        final long now = clock.millis();
        final String message = RetryLoop.oneLine(e);
        LOG.warn("an audit event at {} cannot be chained ({}); dead-lettering it and chaining a FAILURE in its place: {}",
                where, e.reasonCode(), message);
        final DeadLetter letter = DeadLetters.of(record, source, e, config.service(), null, now, config.limits());
        context.forward(new Record<>(DeadLetters.recordKey(record.key(), config.limits()), letter, now), DEAD_LETTER_SINK);
        meters.deadLettered(e.reasonCode().name(), "audit-chain");
        return AuditEvent.newBuilder()
                .setAuditId("AUDIT-UNREADABLE:" + where)
                .setTime(Instant.ofEpochMilli(now))
                .setAction(AuditAction.UNKNOWN)
                .setOutcome(AuditOutcome.FAILURE)
                .setActor("unknown")
                .setService(config.service())
                .setReasonCode(e.reasonCode().name())
                .setMessage("an audit event could not be chained and was dead-lettered: " + message)
                .setSource(where)
                .build();
    }

    static byte[] head(final long sequence, final byte[] hash) {
        return ByteBuffer.allocate(HEAD_BYTES).putLong(sequence).put(hash).array();
    }

    static long sequenceOf(final byte[] head) {
        checkHead(head);
        return ByteBuffer.wrap(head).getLong();
    }

    static byte[] hashOf(final byte[] head) {
        checkHead(head);
        return Arrays.copyOfRange(head, Long.BYTES, HEAD_BYTES);
    }

    private static void checkHead(final byte[] head) {
        if (head.length != HEAD_BYTES) {
            // Never written by this class: refuse to guess where the chain stands.
            throw new IllegalStateException("the audit chain head store holds " + head.length + " bytes, not "
                    + HEAD_BYTES);
        }
    }
}
