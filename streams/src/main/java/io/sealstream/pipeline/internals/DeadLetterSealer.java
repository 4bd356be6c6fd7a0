package io.sealstream.pipeline.internals;

import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.envelope.EnvelopeKeyException;
import java.io.UncheckedIOException;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.DataKeyOperations;
import io.sealstream.pipeline.DeadLetterSealing;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Seals the original bytes of an upload's dead letter under the quarantine KEK ({@link DeadLetterSealing}). A KMS
 * outage propagates as a transient failure (the record waits: back-pressure); plaintext is never written instead.
 */
final class DeadLetterSealer {

    private final EnvelopeEncryption envelope;
    private final String kekId;

    DeadLetterSealer(final DataKeyOperations kms, final String quarantineKek) {
        this.envelope = new EnvelopeEncryption(Objects.requireNonNull(kms, "kms"), Preset.DEFAULT, false);
        this.kekId = Objects.requireNonNull(quarantineKek, "quarantineKek");
    }

    /** {@code bytes} (the part of the letter named {@code part}) sealed for the record at {@code source}. */
    byte[] seal(final RecordMetadata source, final String part, final byte[] bytes) {
        try {
            return envelope.encrypt(kekId, bytes, DeadLetterSealing.context(source.topic(), source.partition(),
                    source.offset(), part));
        } catch (final EnvelopeKeyException e) {
            // The cause chain keeps the KMS's verdict: an outage is retried (back-pressure), a refusal is not.
            throw new UncheckedIOException("cannot seal the dead letter under quarantine KEK " + kekId + ": "
                    + e.getMessage(), e);
        }
    }
}
