package io.sealstream.envelope.internal;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.envelope.EnvelopeHeader;
import io.sealstream.kms.DataKey;
import java.util.Arrays;

/**
 * The two places where a data key becomes an object key: sealing a new object and opening an existing one.
 * <b>Touches key material</b>: the DEK bytes are copied, used for the derivation and zeroed here.
 */
public final class ObjectSealing {

    private ObjectSealing() {
    }

    /** A new object's complete header (commitment filled in) and the cipher for its segments. */
    public record Sealed(byte[] header, SegmentCipher cipher) {
    }

    /**
     * @param template {@link HeaderCodec#template} for this data key, preset and context-storage choice
     */
    public static Sealed seal(final DataKey dek, final byte[] template, final EncryptionContext context,
                              final boolean storeContext, final ObjectRandomness randomness) {
        final byte[] salt = new byte[HeaderCodec.SALT_BYTES];
        final byte[] prefix = new byte[SegmentCipher.NONCE_PREFIX_BYTES];
        randomness.fill(salt, prefix);
        final byte[] canonicalContext = context.canonicalEncoding();
        final byte[] header = HeaderCodec.writeWithoutCommitment(template, salt, prefix, storeContext ? canonicalContext : null);
        final int prefixLength = header.length - ObjectKeys.COMMITMENT_BYTES;
        final byte[] dekBytes = dek.copyKeyBytes();
        try {
            final ObjectKeys keys = ObjectKeys.derive(dekBytes, header, prefixLength, canonicalContext);
            System.arraycopy(keys.commitment(), 0, header, prefixLength, ObjectKeys.COMMITMENT_BYTES);
            return new Sealed(header, new SegmentCipher(keys.key(), prefix));
        } finally {
            Arrays.fill(dekBytes, (byte) 0);
        }
    }

    /**
     * Checks the key commitment of a parsed header against the data key and context, and returns the cipher for
     * its segments. Fails, before any segment is touched, on a wrong key, a wrong context or any header edit.
     */
    public static SegmentCipher open(final byte[] header, final EnvelopeHeader parsed, final DataKey dek,
                                     final EncryptionContext context) throws EnvelopeAuthenticationException {
        final int prefixLength = parsed.length() - ObjectKeys.COMMITMENT_BYTES;
        final byte[] dekBytes = dek.copyKeyBytes();
        try {
            final ObjectKeys keys = ObjectKeys.derive(dekBytes, header, prefixLength, context.canonicalEncoding());
            if (!keys.commitmentMatches(header, prefixLength)) {
                throw new EnvelopeAuthenticationException("key commitment check failed: wrong encryption context, "
                        + "wrong data key, or the header was modified");
            }
            final int noncePrefixOffset = HeaderCodec.noncePrefixOffset(parsed);
            return new SegmentCipher(keys.key(),
                    Arrays.copyOfRange(header, noncePrefixOffset, noncePrefixOffset + SegmentCipher.NONCE_PREFIX_BYTES));
        } finally {
            Arrays.fill(dekBytes, (byte) 0);
        }
    }
}
