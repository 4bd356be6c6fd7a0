package io.sealstream.pipeline.internals;
import io.sealstream.text.BoundedText;
import io.sealstream.kms.DataKeyOperations;
import io.sealstream.pipeline.TransientFailureException;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.PipelineMeters;
import io.sealstream.pipeline.ReasonCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload event in; out go an {@link ObjectEncrypted} and an ENCRYPT audit event, or a {@link DeadLetter} and a
 * FAILURE audit event. Audit events go to the pending topic, unchained, like every other writer's. Upload values arrive as raw bytes and are decoded here, so that a record that cannot be read
 * is dead-lettered whole instead of stopping the stream.
 *
 * <p>Everything forwarded, and the processed-event-id store, commit in the same Kafka transaction as the input
 * offset (exactly_once_v2). The object write happens before, and is idempotent ({@link UploadEncryptor}).
 */
public final class UploadProcessor implements Processor<byte[], byte[], Object, Object> {

    public static final String OBJECTS_SINK = "objects-sink";
    /** Audit events go to the pending topic; the chainer ({@link AuditChainProcessor}) puts them on the audit topic. */
    public static final String AUDIT_PENDING_SINK = "audit-pending-sink";
    public static final String DEAD_LETTER_SINK = "dlq-sink";
    /** Event ids already encrypted and committed: a re-sent upload event is not encrypted twice. */
    public static final String PROCESSED_STORE = "sealstream-processed-uploads";

    private static final Logger LOG = LoggerFactory.getLogger(UploadProcessor.class);

    private final PipelineConfig config;
    private final Deserializer<ObjectUploaded> deserializer;
    private final UploadEncryptor encryptor;
    private final RetryLoop retry;
    private final DeadLetterSealer sealer;
    private final Clock clock;
    private final PipelineMeters meters;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> processed;

    public UploadProcessor(final PipelineConfig config, final Deserializer<ObjectUploaded> deserializer,
                           final UploadEncryptor encryptor, final DataKeyOperations kms, final Clock clock,
                           final PipelineMeters meters) {
        this.config = config;
        this.meters = meters;
        this.sealer = new DeadLetterSealer(kms, config.keyPolicy().quarantineKek());
        this.deserializer = deserializer;
        this.encryptor = encryptor;
        this.clock = clock;
        this.retry = new RetryLoop(config.retry(), clock, Thread::sleep);
    }

    @Override
    public void init(final ProcessorContext<Object, Object> ctx) {
        this.context = ctx;
        this.processed = ctx.getStateStore(PROCESSED_STORE);
        final Duration every = config.dedupeRetention().dividedBy(10).compareTo(Duration.ofHours(1)) < 0
                ? config.dedupeRetention().dividedBy(10) : Duration.ofHours(1);
        ctx.schedule(every.isZero() ? Duration.ofSeconds(1) : every, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata source = context.recordMetadata().orElseThrow();
        final String where = source.topic() + "/" + source.partition() + "@" + source.offset();
        ObjectUploaded upload = null;
        try {
            upload = retry.run("reading the upload event at " + where, () -> decode(record, source.topic()));
            final ObjectUploaded event = upload;
            if (processed.get(event.getEventId()) != null) {
                LOG.info("upload {} at {} was already encrypted and committed; skipping the repeat",
                        BoundedText.clip(event.getEventId(), BoundedText.MAX_ID_CHARS), where);
                meters.repeatSkipped();
                return;
            }
            final long started = System.nanoTime();
            final UploadEncryptor.Result result = retry.run("encrypting upload "
                    + BoundedText.clip(event.getEventId(), BoundedText.MAX_ID_CHARS),
                    () -> encryptor.encrypt(event));
            final ObjectEncrypted encrypted = result.event();
            final long now = clock.millis();
            // Everything built before anything is forwarded: past this point only Kafka's own exceptions (which
            // propagate) can occur, so a transaction never holds both a success and a dead letter for one upload.
            final AuditEvent audit = successAudit(event, encrypted, where, now);
            context.forward(new Record<>(encrypted.getDestination(), encrypted, now, traced(record)), OBJECTS_SINK);
            context.forward(new Record<>(encrypted.getDestination(), audit, now, traced(record)), AUDIT_PENDING_SINK);
            processed.put(event.getEventId(), now);
            meters.encrypted(encrypted.getPlaintextSize(), System.nanoTime() - started);
        } catch (final PermanentFailureException e) {
            deadLetter(record, source, where, upload, e);
        } catch (final RuntimeException e) {
            if (mustPropagate(e)) {
                throw e;
            }
            // No input may stop the pipeline: whatever a record makes go wrong that nothing above names is this
            // record's problem until shown otherwise. It is dead-lettered (replayable once fixed), and the stack
            // trace goes to the log for whoever fixes it.
            LOG.error("unexpected failure processing the record at {}; dead-lettering it as {}: {}", where,
                    ReasonCode.PROCESSING_FAILED, BoundedText.trace(e));
            deadLetter(record, source, where, upload, new PermanentFailureException(ReasonCode.PROCESSING_FAILED,
                    e.getClass().getSimpleName() + ": " + RetryLoop.oneLine(e)));
        }
    }

    /**
     * What must leave {@link #process} as it is: a dependency that is down (the thread gives way and the record is
     * retried: back-pressure), a failure of the pipeline itself (stop, fail closed), and Kafka's own signals (a task
     * migrated, a producer fenced, a send that failed), which Kafka Streams handles.
     */
    static boolean mustPropagate(final RuntimeException e) {
        return e instanceof TransientFailureException || e instanceof FatalPipelineException
                || e instanceof org.apache.kafka.common.KafkaException || TransientFailureException.isCauseOf(e);
    }

    private ObjectUploaded decode(final Record<byte[], byte[]> record, final String topic) throws PermanentFailureException {
        return RecordDecoder.decode(deserializer, topic, record.headers(), record.value());
    }

    /**
     * Sends the dead letter and the FAILURE audit event. Neither can fail on the record's size or content: both are
     * bounded ({@link DeadLetters}, {@link BoundedText}). Should building the letter fail, a minimal one (where and
     * why, nothing of the record) takes its place; the record itself stays on its topic. A failure to serialise or
     * send it is Kafka's (a registry outage, a refusal of the pipeline) and propagates like any other.
     */
    private void deadLetter(final Record<byte[], byte[]> record, final RecordMetadata source, final String where,
                            final ObjectUploaded upload, final PermanentFailureException e) {
        final long now = clock.millis();
        final String message = RetryLoop.oneLine(e);
        LOG.warn("dead-lettering the record at {} ({}): {}", where, e.reasonCode(), message);
        final byte[] key = DeadLetters.recordKey(record.key(), config.limits());
        try {
            // Sealed under the quarantine KEK: waits out a KMS outage like an upload (back-pressure), and if the KMS
            // refuses for good, the minimal letter below (no bytes of the record) is written instead: never plaintext.
            final DeadLetter letter = retry.run("sealing the dead letter of the record at " + where,
                    () -> DeadLetters.of(record, source, e, config.service(),
                            upload == null ? null : upload.getEventId(), now, config.limits(), sealer));
            context.forward(new Record<>(key, letter, now), DEAD_LETTER_SINK);
        } catch (final PermanentFailureException | RuntimeException failed) {
            if (failed instanceof RuntimeException r && mustPropagate(r)) {
                throw r;
            }
            LOG.error("could not build the dead letter for the record at {}; producing a minimal one (coordinates "
                    + "and reason only): {}", where, BoundedText.trace(failed));
            context.forward(new Record<>(key, DeadLetters.minimal(record, source, e.reasonCode().name(), message,
                    config.service(), now), now), DEAD_LETTER_SINK);
        }
        context.forward(new Record<>(where, failureAudit(upload, where, e.reasonCode().name(), message, now), now,
                traced(record)), AUDIT_PENDING_SINK);
        meters.deadLettered(e.reasonCode().name(), "encrypt");
    }

    /** The upload's trace headers, for a record it causes (each record gets its own copy). */
    private org.apache.kafka.common.header.Headers traced(final Record<byte[], byte[]> record) {
        return config.traceHeaders().carried(record.headers());
    }

    /** The FAILURE audit event; every field taken from the record is bounded, as the record may be any size. */
    private AuditEvent failureAudit(final ObjectUploaded upload, final String where, final String reasonCode,
                                    final String message, final long now) {
        return AuditEvent.newBuilder()
                .setAuditId("ENCRYPT-FAILED:" + where)
                .setTime(Instant.ofEpochMilli(now))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(AuditOutcome.FAILURE)
                .setActor(upload == null ? "unknown" : BoundedText.clip(upload.getUploader(), BoundedText.MAX_ID_CHARS))
                .setService(config.service())
                .setEventId(upload == null ? null : BoundedText.clip(upload.getEventId(), BoundedText.MAX_ID_CHARS))
                .setTenant(upload == null ? null : BoundedText.clip(upload.getTenant(), BoundedText.MAX_ID_CHARS))
                .setBucket(upload == null ? null : BoundedText.clip(upload.getBucket(), BoundedText.MAX_ID_CHARS))
                .setObjectKey(upload == null ? null : BoundedText.clip(upload.getObjectKey(), BoundedText.MAX_KEY_CHARS))
                .setReasonCode(reasonCode)
                .setMessage(message)
                .setSource(where)
                .build();
    }

    private AuditEvent successAudit(final ObjectUploaded upload, final ObjectEncrypted encrypted, final String where,
                                    final long now) {
        return AuditEvent.newBuilder()
                .setAuditId("ENCRYPT:" + upload.getEventId())
                .setTime(Instant.ofEpochMilli(now))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(AuditOutcome.SUCCESS)
                .setActor(upload.getUploader())
                .setService(config.service())
                .setEventId(upload.getEventId())
                .setTenant(upload.getTenant())
                .setBucket(upload.getBucket())
                .setObjectKey(upload.getObjectKey())
                .setLocation(encrypted.getDestination())
                .setDekId(encrypted.getDekId())
                .setKek(encrypted.getKek())
                .setSource(where)
                .build();
    }

    /** Forgets event ids older than the retention, so the store stays bounded. */
    private void expire(final long wallClockMillis) {
        final long cutoff = wallClockMillis - config.dedupeRetention().toMillis();
        final List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = processed.all()) {
            while (it.hasNext()) {
                final var entry = it.next();
                if (entry.value == null || entry.value < cutoff) {
                    old.add(entry.key);
                }
            }
        }
        old.forEach(processed::delete);
    }
}
