package io.sealstream.pipeline;

import java.util.Map;

/**
 * How much of a poison record the pipeline copies into what it produces, so that no input, however large, yields an
 * output record the producer or the broker refuses (which would stop every partition of the stream thread, and do so
 * again after each restart). The largest record the broker accepts always makes a dead letter larger than itself if
 * the letter carries it whole; so a dead letter keeps what fits and refers to the rest by its coordinates.
 *
 * @param deadLetterValueBytes  the first bytes of the original value a dead letter keeps
 *                              ({@code sealstream.dlq.max-value-bytes}, default 256 KiB)
 * @param deadLetterKeyBytes    the first bytes of the original key a dead letter keeps, and the longest key a dead
 *                              letter record is produced with ({@code sealstream.dlq.max-key-bytes}, default 4 KiB)
 * @param deadLetterHeaderBytes the header keys and values a dead letter keeps, in order, until this many bytes
 *                              ({@code sealstream.dlq.max-header-bytes}, default 64 KiB)
 * @param auditEventBytes       the largest audit event the chainer accepts from its pending topic
 *                              ({@code sealstream.audit.max-event-bytes}, default 64 KiB); a larger one is
 *                              dead-lettered and a FAILURE event chained in its place
 */
public record RecordLimits(int deadLetterValueBytes, int deadLetterKeyBytes, int deadLetterHeaderBytes,
                           int auditEventBytes) {

    public static final int DEFAULT_DLQ_VALUE_BYTES = 256 * 1024;
    public static final int DEFAULT_DLQ_KEY_BYTES = 4 * 1024;
    public static final int DEFAULT_DLQ_HEADER_BYTES = 64 * 1024;
    public static final int DEFAULT_AUDIT_EVENT_BYTES = 64 * 1024;
    /**
     * Room for a dead letter's own fields (reason, one-line message, service, coordinates, event id, header framing),
     * the record key and Kafka's record overhead: generous, since each of those is bounded far below it.
     */
    public static final int FIXED_OVERHEAD_BYTES = 32 * 1024;
    /**
     * What sealing a letter's key and value adds (DeadLetterSealing): two envelope headers, each with a wrapped data
     * key of at most 4 KiB, and a 16-byte tag per 64 KiB segment.
     */
    public static final int SEALING_OVERHEAD_BYTES = 2 * (4096 + 1024) + 1024;
    /** Kafka's producer default {@code max.request.size}. */
    public static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    public RecordLimits {
        if (deadLetterValueBytes < 0 || deadLetterKeyBytes < 16 || deadLetterHeaderBytes < 0 || auditEventBytes < 1024) {
            throw new IllegalArgumentException("sealstream.dlq.max-value-bytes and max-header-bytes must be >= 0, "
                    + "sealstream.dlq.max-key-bytes >= 16, sealstream.audit.max-event-bytes >= 1KiB");
        }
    }

    public static RecordLimits defaults() {
        return new RecordLimits(DEFAULT_DLQ_VALUE_BYTES, DEFAULT_DLQ_KEY_BYTES, DEFAULT_DLQ_HEADER_BYTES,
                DEFAULT_AUDIT_EVENT_BYTES);
    }

    public static RecordLimits fromConfig(final Map<String, ?> config) {
        return new RecordLimits(
                PipelineConfigKeys.DLQ_MAX_VALUE_BYTES.get(config).intValue(),
                PipelineConfigKeys.DLQ_MAX_KEY_BYTES.get(config).intValue(),
                PipelineConfigKeys.DLQ_MAX_HEADER_BYTES.get(config).intValue(),
                PipelineConfigKeys.AUDIT_MAX_EVENT_BYTES.get(config).intValue());
    }

    /** The largest serialized dead letter these limits allow, record key and Kafka's framing included. */
    public long largestDeadLetterBytes() {
        return (long) deadLetterValueBytes + 2L * deadLetterKeyBytes + deadLetterHeaderBytes + FIXED_OVERHEAD_BYTES
                + SEALING_OVERHEAD_BYTES;
    }

    /**
     * Checks the limits against the largest record the pipeline may produce (the smaller of the producer's
     * {@code max.request.size} and the dead-letter and audit topics' {@code max.message.bytes}): a dead letter or a
     * chained audit event that does not fit would stop the stream thread, so start-up refuses such settings.
     */
    public void requireFits(final long largestRecordBytes, final String where) {
        requireDeadLettersFit(largestRecordBytes, where);
        requireAuditEventsFit(largestRecordBytes, where);
    }

    /** As {@link #requireFits}, for the dead-letter topic alone. */
    public void requireDeadLettersFit(final long largestRecordBytes, final String where) {
        if (largestDeadLetterBytes() > largestRecordBytes) {
            throw new IllegalArgumentException("dead letters may reach " + largestDeadLetterBytes() + " bytes "
                    + "(sealstream.dlq.max-value-bytes + 2 x max-key-bytes + max-header-bytes + "
                    + FIXED_OVERHEAD_BYTES + " bytes of fields) but " + where + " allows " + largestRecordBytes
                    + ": lower the sealstream.dlq.* limits or raise that limit");
        }
    }

    /** As {@link #requireFits}, for the audit topic alone. */
    public void requireAuditEventsFit(final long largestRecordBytes, final String where) {
        if ((long) auditEventBytes + FIXED_OVERHEAD_BYTES > largestRecordBytes) {
            throw new IllegalArgumentException("sealstream.audit.max-event-bytes=" + auditEventBytes + " does not fit "
                    + where + " (" + largestRecordBytes + " bytes) with " + FIXED_OVERHEAD_BYTES + " bytes to spare");
        }
    }

}
