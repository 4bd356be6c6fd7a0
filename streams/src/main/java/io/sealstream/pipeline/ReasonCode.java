package io.sealstream.pipeline;

/**
 * Why an upload event was dead-lettered. Every code is a <em>permanent</em> problem with that event: retrying it
 * unchanged would fail again. Transient problems (KMS, object store or schema registry unreachable) are never
 * dead-lettered; the pipeline waits and retries instead.
 */
public enum ReasonCode {
    /** The value is not in the registry's wire format, or its Avro body does not decode. */
    MALFORMED_EVENT("the record is not a readable ObjectUploaded in the schema registry's wire format"),
    /** The value names a schema id the registry does not know, or one that cannot be read as ObjectUploaded. */
    UNKNOWN_SCHEMA("the record's schema is unknown to the registry or incompatible with ObjectUploaded"),
    /** A field is missing, empty, too long or malformed (ids, tenant, bucket, object key, staging reference). */
    INVALID_FIELD("a field of the event is invalid"),
    /** The inline payload is larger than {@code sealstream.inline.max-bytes}. */
    INLINE_TOO_LARGE("the inline payload is larger than the configured limit"),
    /** The staging object the event points to does not exist. */
    STAGING_NOT_FOUND("the staging object does not exist"),
    /**
     * The store refused to let the pipeline read the staging object for a reason other than its absence or an
     * outage (e.g. HTTP 403: the event names a bucket the pipeline may not read).
     */
    STAGING_UNREADABLE("the store refused to read the staging object"),
    /** The staging object's size differs from the size the event declares. */
    STAGING_SIZE_MISMATCH("the staging object's size differs from the declared size"),
    /** The plaintext's SHA-256 differs from the one the event declares. */
    CHECKSUM_MISMATCH("the plaintext's checksum (SHA-256 or BLAKE2b-256) differs from the declared one"),
    /** The key policy names a KEK the KMS does not have. */
    KEY_NOT_FOUND("the KEK chosen by the key policy does not exist in the KMS"),
    /**
     * The KMS refused to issue a data key under the KEK the key policy chose, for a reason other than its absence or
     * an outage, while it still describes the key (disabled, scheduled for deletion, a key policy that denies it).
     * Logged at ERROR: a key-policy or KMS problem to fix, after which the dead letters can be replayed. A KMS that
     * refuses the pipeline altogether (it will not describe the key either) is waited for instead.
     */
    KEY_UNUSABLE("the KMS refused to issue a data key under the chosen KEK"),
    /**
     * An audit event on the chainer's pending topic is larger than {@code sealstream.audit.max-event-bytes}; a FAILURE
     * event is chained in its place.
     */
    EVENT_TOO_LARGE("the audit event is larger than the configured limit"),
    /**
     * Processing the record failed in a way no other code describes (an unexpected exception, logged with its stack
     * trace). The record is dead-lettered rather than retried for ever, so one record can never stop the pipeline;
     * replay it once the cause is fixed.
     */
    PROCESSING_FAILED("processing the record failed unexpectedly; the log has the details");

    private final String description;

    ReasonCode(final String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
