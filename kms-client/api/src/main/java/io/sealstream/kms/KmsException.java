package io.sealstream.kms;

/**
 * Base of every KMS failure. Messages name keys and operations, never key material or passphrases.
 * Subclasses say whether retrying can help: only {@link KmsUnavailableException} is transient.
 */
public class KmsException extends RuntimeException {

    public KmsException(final String message) {
        super(message);
    }

    public KmsException(final String message, final Throwable cause) {
        super(message, cause);
    }

    /** True when the same call may succeed later (KMS down, throttled, timed out). */
    public boolean isTransient() {
        return false;
    }
}
