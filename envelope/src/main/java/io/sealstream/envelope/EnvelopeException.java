package io.sealstream.envelope;

import java.io.IOException;

/** Base of every failure to read or write an envelope. Messages are one line and never contain secrets. */
public class EnvelopeException extends IOException {

    public EnvelopeException(final String message) {
        super(message);
    }

    public EnvelopeException(final String message, final Throwable cause) {
        super(message, cause);
    }

    /** A short, stable code for dead-letter records, audit events and CLI exit messages. */
    public String reasonCode() {
        return "ENVELOPE_ERROR";
    }
}
