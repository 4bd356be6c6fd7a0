package io.sealstream.envelope;

import io.sealstream.kms.WrappedDataKey;
import java.util.Optional;

/**
 * The public part of an envelope's header, as parsed (no secrets: the data key is wrapped).
 * Parsing alone does not authenticate it; it is authenticated by the key commitment when decryption starts.
 *
 * @param formatVersion  the format version (1)
 * @param suite          the algorithm suite
 * @param segmentSize    plaintext bytes per segment
 * @param wrappedDataKey the DEK wrapped under its KEK, with the DEK id and the KEK reference
 * @param storedContext  the encryption context, if the writer chose to store it
 * @param length         the header's length in bytes; segments start right after it
 */
public record EnvelopeHeader(int formatVersion, Preset.Suite suite, int segmentSize, WrappedDataKey wrappedDataKey,
                             Optional<EncryptionContext> storedContext, int length) {
}
