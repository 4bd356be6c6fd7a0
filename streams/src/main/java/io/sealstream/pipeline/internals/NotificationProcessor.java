package io.sealstream.pipeline.internals;

import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.StagedPayload;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.pipeline.PipelineMeters;
import io.sealstream.text.BoundedText;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 notification input: each notification message in, the staged uploads it announces out to the uploads topic
 * (as {@link ObjectUploaded}, keyed by staging location), where the upload processor validates, encrypts, audits and
 * dead-letters them as it does every upload. All in the same exactly-once transaction as the input offset. A message
 * that is not an S3 notification, or names an object no route takes, is dead-lettered with an ENCRYPT FAILURE audit
 * event; records of other kinds (removals, restores, ...) are ignored and counted ({@code sealstream.notifications}).
 * Notifications carry no object content, so their dead letters are not sealed.
 */
public final class NotificationProcessor implements Processor<byte[], byte[], Object, Object> {

    public static final String UPLOADS_SINK = "notification-uploads-sink";
    public static final String DEAD_LETTER_SINK = "notification-dlq-sink";
    public static final String AUDIT_PENDING_SINK = "notification-audit-pending-sink";

    private static final Logger LOG = LoggerFactory.getLogger(NotificationProcessor.class);

    private final PipelineConfig config;
    private final Clock clock;
    private final PipelineMeters meters;
    private ProcessorContext<Object, Object> context;

    public NotificationProcessor(final PipelineConfig config, final Clock clock, final PipelineMeters meters) {
        this.config = config;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public void init(final ProcessorContext<Object, Object> ctx) {
        this.context = ctx;
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata source = context.recordMetadata().orElseThrow();
        final String where = source.topic() + "/" + source.partition() + "@" + source.offset();
        final long now = clock.millis();
        final S3Notifications.Converted converted;
        try {
            converted = S3Notifications.convert(record.value(), config.notifications());
        } catch (final PermanentFailureException e) {
            final String message = RetryLoop.oneLine(e);
            LOG.warn("dead-lettering the notification at {} ({}): {}", where, e.reasonCode(), message);
            final DeadLetter letter = DeadLetters.of(record, source, e, config.service(), null, now, config.limits());
            context.forward(new Record<>(DeadLetters.recordKey(record.key(), config.limits()), letter, now),
                    DEAD_LETTER_SINK);
            context.forward(new Record<>(where, AuditEvent.newBuilder()
                    .setAuditId("ENCRYPT-FAILED:" + where)
                    .setTime(Instant.ofEpochMilli(now))
                    .setAction(AuditAction.ENCRYPT)
                    .setOutcome(AuditOutcome.FAILURE)
                    .setActor("s3-notification")
                    .setService(config.service())
                    .setReasonCode(e.reasonCode().name())
                    .setMessage(message)
                    .setSource(where)
                    .build(), now), AUDIT_PENDING_SINK);
            meters.deadLettered(e.reasonCode().name(), "notifications");
            return;
        }
        for (final ObjectUploaded upload : converted.uploads()) {
            final String location = ((StagedPayload) upload.getPayload()).getLocation();
            context.forward(new Record<>(location.getBytes(StandardCharsets.UTF_8), upload, now,
                    config.traceHeaders().carried(record.headers())), UPLOADS_SINK);
            meters.notification("converted", "ObjectCreated");
            LOG.debug("notification at {}: {} -> upload {}", where, BoundedText.clip(location, 300), upload.getEventId());
        }
        for (final String kind : converted.ignored()) {
            meters.notification("ignored", kind);
        }
    }
}
