package io.sealstream.pipeline.internals;

import io.sealstream.events.DeadLetter;
import io.sealstream.events.DeadLetterHeader;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The dead letter for a record that could not be processed: the whole original record plus where and why. */
final class DeadLetters {

    private DeadLetters() {
    }

    static DeadLetter of(final Record<byte[], byte[]> record, final RecordMetadata source,
                         final PermanentFailureException e, final String service, final String eventId,
                         final long now) {
        final List<DeadLetterHeader> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(new DeadLetterHeader(h.key(), h.value() == null ? null : ByteBuffer.wrap(h.value())));
        }
        return DeadLetter.newBuilder()
                .setReasonCode(e.reasonCode().name())
                .setMessage(RetryLoop.oneLine(e))
                .setFailedAt(Instant.ofEpochMilli(now))
                .setService(service)
                .setTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setHeaders(headers)
                .setEventId(eventId)
                .build();
    }
}
