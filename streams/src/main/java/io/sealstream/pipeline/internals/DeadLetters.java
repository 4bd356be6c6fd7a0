package io.sealstream.pipeline.internals;
import io.sealstream.text.BoundedText;

import io.sealstream.events.DeadLetter;
import io.sealstream.events.DeadLetterHeader;
import io.sealstream.pipeline.RecordLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The dead letter for a record that could not be processed: where it was (topic, partition, offset), why, and as
 * much of the original record as {@link RecordLimits} allow: the whole record when it fits, otherwise the first bytes
 * of the value and key, the headers that fit, and the sizes of what was left out. However large the original, the
 * letter fits the producer's and the broker's limits, so dead-lettering can never fail on size.
 */
final class DeadLetters {

    /** A header key longer than this is cut (header keys are free text chosen by any producer). */
    static final int MAX_HEADER_KEY_CHARS = 256;
    /** What a header costs in the budget beyond its key and value bytes (Avro framing). */
    private static final int HEADER_FRAMING_BYTES = 16;

    private DeadLetters() {
    }

    static DeadLetter of(final Record<byte[], byte[]> record, final RecordMetadata source,
                         final PermanentFailureException e, final String service, final String eventId,
                         final long now, final RecordLimits limits) {
        return of(record, source, e, service, eventId, now, limits, null);
    }

    /**
     * The letter, with its key and value sealed by {@code sealer} ({@link io.sealstream.pipeline.DeadLetterSealing})
     * unless it is null (the chainer's letters hold audit records, no payload).
     */
    static DeadLetter of(final Record<byte[], byte[]> record, final RecordMetadata source,
                         final PermanentFailureException e, final String service, final String eventId,
                         final long now, final RecordLimits limits, final DeadLetterSealer sealer) {
        final List<DeadLetterHeader> headers = new ArrayList<>();
        int omitted = 0;
        long budget = limits.deadLetterHeaderBytes();
        for (final Header h : record.headers()) {
            final String key = BoundedText.clip(h.key() == null ? "" : h.key(), MAX_HEADER_KEY_CHARS);
            final long cost = key.getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length)
                    + HEADER_FRAMING_BYTES;
            if (cost > budget) {
                omitted++;
                continue;
            }
            budget -= cost;
            headers.add(new DeadLetterHeader(key, h.value() == null ? null : ByteBuffer.wrap(h.value())));
        }
        final byte[] key = record.key();
        final byte[] value = record.value();
        final byte[] keyKept = key == null ? null : prefix(key, limits.deadLetterKeyBytes());
        final byte[] valueKept = value == null ? null : prefix(value, limits.deadLetterValueBytes());
        return where(record, source, e.reasonCode().name(), BoundedText.message(e), service, now)
                .setSealed(sealer != null)
                .setKey(keyKept == null ? null : ByteBuffer.wrap(sealer == null ? keyKept
                        : sealer.seal(source, io.sealstream.pipeline.DeadLetterSealing.PART_KEY, keyKept)))
                .setKeySize(key == null ? null : (long) key.length)
                .setKeyTruncated(key != null && key.length > limits.deadLetterKeyBytes())
                .setValue(valueKept == null ? null : ByteBuffer.wrap(sealer == null ? valueKept
                        : sealer.seal(source, io.sealstream.pipeline.DeadLetterSealing.PART_VALUE, valueKept)))
                .setValueSize(value == null ? null : (long) value.length)
                .setValueTruncated(value != null && value.length > limits.deadLetterValueBytes())
                .setHeaders(headers)
                .setHeadersOmitted(omitted)
                .setEventId(eventId == null ? null : BoundedText.clip(eventId, BoundedText.MAX_ID_CHARS))
                .build();
    }

    /**
     * The smallest letter there is: where and why, nothing of the record. What is produced when the full letter
     * could not be (its serialisation failed for a reason of its own).
     */
    static DeadLetter minimal(final Record<byte[], byte[]> record, final RecordMetadata source, final String reasonCode,
                              final String message, final String service, final long now) {
        return where(record, source, reasonCode, BoundedText.clip(message, BoundedText.MAX_MESSAGE_CHARS), service, now)
                .setKeySize(record.key() == null ? null : (long) record.key().length)
                .setKeyTruncated(record.key() != null && record.key().length > 0)
                .setValueSize(record.value() == null ? null : (long) record.value().length)
                .setValueTruncated(record.value() != null && record.value().length > 0)
                .setHeadersOmitted(record.headers().toArray().length)
                .build();
    }

    /** What every letter says: why, when, by whom, and where the original is. */
    private static DeadLetter.Builder where(final Record<byte[], byte[]> record, final RecordMetadata source,
                                            final String reasonCode, final String message, final String service,
                                            final long now) {
        return DeadLetter.newBuilder()
                .setReasonCode(reasonCode)
                .setMessage(message)
                .setFailedAt(Instant.ofEpochMilli(now))
                .setService(service)
                .setTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()));
    }

    /** The key a dead letter is produced with: the original key, cut to the limit (it only picks a partition). */
    static byte[] recordKey(final byte[] key, final RecordLimits limits) {
        return key == null ? null : prefix(key, limits.deadLetterKeyBytes());
    }

    private static byte[] prefix(final byte[] bytes, final int max) {
        return bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
    }
}
