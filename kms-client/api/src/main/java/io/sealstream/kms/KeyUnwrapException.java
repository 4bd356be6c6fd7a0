package io.sealstream.kms;

/** The KMS refused a wrapped key: wrong KEK, tampered bytes, or a disabled/destroyed KEK version. Permanent. */
public class KeyUnwrapException extends KmsException {

    public KeyUnwrapException(final String message) {
        super(message);
    }

    public KeyUnwrapException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
