package io.sealstream.envelope;

/** The bytes are not an envelope this version can read: wrong magic, unknown version or suite, bad lengths. */
public class MalformedEnvelopeException extends EnvelopeException {

    public MalformedEnvelopeException(final String message) {
        super(message);
    }

    @Override
    public String reasonCode() {
        return "MALFORMED_ENVELOPE";
    }
}
