package io.sealstream.envelope;

/** The object's data key could not be obtained from the KMS (unknown KEK, rejected wrapped key, KMS down). */
public class EnvelopeKeyException extends EnvelopeException {

    private final boolean transientFailure;

    public EnvelopeKeyException(final String message, final Throwable cause, final boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** True when the KMS was unavailable and the same read may succeed later. */
    public boolean isTransient() {
        return transientFailure;
    }

    @Override
    public String reasonCode() {
        return transientFailure ? "KMS_UNAVAILABLE" : "DATA_KEY_UNAVAILABLE";
    }
}
