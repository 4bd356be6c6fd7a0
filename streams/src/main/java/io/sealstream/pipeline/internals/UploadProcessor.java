package io.sealstream.pipeline.internals;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.pipeline.PipelineConfig;
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
    private final Clock clock;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> processed;

    public UploadProcessor(final PipelineConfig config, final Deserializer<ObjectUploaded> deserializer,
                           final UploadEncryptor encryptor, final Clock clock) {
        this.config = config;
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
                LOG.info("upload {} at {} was already encrypted and committed; skipping the repeat", event.getEventId(), where);
                return;
            }
            final UploadEncryptor.Result result = retry.run("encrypting upload " + event.getEventId(),
                    () -> encryptor.encrypt(event));
            final ObjectEncrypted encrypted = result.event();
            final long now = clock.millis();
            context.forward(new Record<>(encrypted.getDestination(), encrypted, now), OBJECTS_SINK);
            context.forward(new Record<>(encrypted.getDestination(), successAudit(event, encrypted, where, now), now),
                    AUDIT_PENDING_SINK);
            processed.put(event.getEventId(), now);
        } catch (final PermanentFailureException e) {
            deadLetter(record, source, where, upload, e);
        }
    }

    private ObjectUploaded decode(final Record<byte[], byte[]> record, final String topic) throws PermanentFailureException {
        return RecordDecoder.decode(deserializer, topic, record.headers(), record.value());
    }

    private void deadLetter(final Record<byte[], byte[]> record, final RecordMetadata source, final String where,
                            final ObjectUploaded upload, final PermanentFailureException e) {
        final long now = clock.millis();
        final String message = RetryLoop.oneLine(e);
        LOG.warn("dead-lettering the record at {} ({}): {}", where, e.reasonCode(), message);
        final DeadLetter letter = DeadLetters.of(record, source, e, config.service(),
                upload == null ? null : upload.getEventId(), now);
        context.forward(new Record<>(record.key(), letter, now), DEAD_LETTER_SINK);
        final AuditEvent audit = AuditEvent.newBuilder()
                .setAuditId("ENCRYPT-FAILED:" + where)
                .setTime(Instant.ofEpochMilli(now))
                .setAction(AuditAction.ENCRYPT)
                .setOutcome(AuditOutcome.FAILURE)
                .setActor(upload == null ? "unknown" : upload.getUploader())
                .setService(config.service())
                .setEventId(upload == null ? null : upload.getEventId())
                .setTenant(upload == null ? null : upload.getTenant())
                .setBucket(upload == null ? null : upload.getBucket())
                .setObjectKey(upload == null ? null : upload.getObjectKey())
                .setReasonCode(e.reasonCode().name())
                .setMessage(message)
                .setSource(where)
                .build();
        context.forward(new Record<>(where, audit, now), AUDIT_PENDING_SINK);
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
