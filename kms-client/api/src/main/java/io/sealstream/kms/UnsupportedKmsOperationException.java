package io.sealstream.kms;

/** The provider has no such operation (for example creating keys in a KMS managed elsewhere). Permanent. */
public class UnsupportedKmsOperationException extends KmsException {

    public UnsupportedKmsOperationException(final String provider, final String operation) {
        super("KMS provider '" + provider + "' does not support " + operation);
    }
}
