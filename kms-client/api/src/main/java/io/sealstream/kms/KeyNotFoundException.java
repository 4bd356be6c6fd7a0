package io.sealstream.kms;

/** The KEK (or the KEK version) does not exist in the KMS. Permanent. */
public class KeyNotFoundException extends KmsException {

    public KeyNotFoundException(final String message) {
        super(message);
    }
}
