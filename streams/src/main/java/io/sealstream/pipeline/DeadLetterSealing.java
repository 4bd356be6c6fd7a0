package io.sealstream.pipeline;

import io.sealstream.envelope.EncryptionContext;

/**
 * How the original bytes of a dead letter are sealed (schema field {@code DeadLetter.sealed}): each part, key and value,
 * is a sealstream envelope under the quarantine KEK ({@code sealstream.keys.quarantine}), bound to where the original
 * record was and which part it is, so a sealed value can not be passed off as another letter's or as a key. A
 * poison upload's inline payload is plaintext; sealed, it does not rest in the dead-letter topic readable by whoever
 * may read that topic. {@code sealstream dlq show} and {@code replay} open them.
 */
public final class DeadLetterSealing {

    public static final String CONTEXT_SOURCE = "dead-letter";
    public static final String CONTEXT_PART = "part";
    public static final String PART_KEY = "key";
    public static final String PART_VALUE = "value";

    private DeadLetterSealing() {
    }

    /** The context of one part of the letter for the record at {@code topic}/{@code partition}@{@code offset}. */
    public static EncryptionContext context(final String topic, final int partition, final long offset,
                                            final String part) {
        return EncryptionContext.of(CONTEXT_SOURCE, topic + "/" + partition + "@" + offset, CONTEXT_PART, part);
    }
}
