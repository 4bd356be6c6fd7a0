package io.sealstream.envelope;

/**
 * The ciphertext did not authenticate: it was edited, truncated, extended or reordered, or the data key or the
 * encryption context is not the one it was encrypted under. No plaintext of the failing segment is released.
 */
public class EnvelopeAuthenticationException extends EnvelopeException {

    public EnvelopeAuthenticationException(final String message) {
        super(message);
    }

    /** The one wording for a segment whose GCM tag did not verify, used by every reader. */
    static String segmentFailed(final long index) {
        return "segment " + index + " failed authentication: the ciphertext was modified, truncated, extended or reordered";
    }

    @Override
    public String reasonCode() {
        return "AUTHENTICATION_FAILED";
    }
}
