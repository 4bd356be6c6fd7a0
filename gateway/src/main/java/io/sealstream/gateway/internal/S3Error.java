package io.sealstream.gateway.internal;

/**
 * A request the gateway refuses, as S3 would: the HTTP status and S3 error code a client's SDK maps to its own
 * exception, and a one-line message that never carries a secret or plaintext.
 */
public final class S3Error extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public S3Error(final int status, final String code, final String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static S3Error accessDenied(final String message) {
        return new S3Error(403, "AccessDenied", message);
    }

    public static S3Error signatureDoesNotMatch() {
        return new S3Error(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.");
    }
}
