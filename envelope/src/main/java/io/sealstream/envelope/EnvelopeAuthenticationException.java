package io.sealstream.envelope;

/**
 * The ciphertext did not authenticate: it was edited, truncated, extended or reordered, or the data key or the
 * encryption context is not the one it was encrypted under. No plaintext of the failing segment is released.
 */
public class EnvelopeAuthenticationException extends EnvelopeException {

    public EnvelopeAuthenticationException(final String message) {
        super(message);
    }

    @Override
    public String reasonCode() {
        return "AUTHENTICATION_FAILED";
    }
}
