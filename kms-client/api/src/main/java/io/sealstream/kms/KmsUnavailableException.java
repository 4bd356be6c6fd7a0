package io.sealstream.kms;

/** The KMS could not be reached or asked us to slow down: transient, worth retrying with backoff. */
public class KmsUnavailableException extends KmsException {

    public KmsUnavailableException(final String message) {
        super(message);
    }

    public KmsUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
