package io.sealstream.kms.aws;

import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.ProviderSettings;
import java.io.IOException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DependencyTimeoutException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** Runs AWS SDK calls for {@link AwsKms} and maps their failures to the SPI's exceptions (one line, no secrets). */
final class AwsKmsErrors {

    private AwsKmsErrors() {
    }

    static <T> T call(final String operation, final String subject, final String dekId, final Supplier<T> request) {
        try {
            return request.get();
        } catch (final SdkException e) {
            throw translate(operation, subject, dekId, e);
        }
    }

    /**
     * Maps an SDK failure to the SPI's exceptions. {@code dekId} is set for calls on a wrapped key (Decrypt,
     * ReEncrypt), whose rejections become {@link KeyUnwrapException}s naming it.
     */
    static KmsException translate(final String operation, final String subject, final String dekId, final SdkException e) {
        final String what = "AWS KMS " + operation + " for " + subject + (dekId == null ? "" : " (data key " + dekId + ")");
        if (e instanceof NotFoundException) {
            return new KeyNotFoundException(subject + " not found in AWS KMS (" + operation + ", " + details(e) + ")");
        }
        if (e instanceof InvalidCiphertextException || e instanceof IncorrectKeyException) {
            return dekId != null
                    ? new KeyUnwrapException("AWS KMS rejected wrapped data key " + dekId + " under " + subject
                            + ": " + details(e), e)
                    : new KmsException(what + " failed: " + details(e), e);
        }
        if (e instanceof DisabledException || e instanceof KmsInvalidStateException) {
            final String state = "the KMS key is disabled or pending deletion";
            return dekId != null
                    ? new KeyUnwrapException("AWS KMS refused wrapped data key " + dekId + " under " + subject
                            + ": " + state + " (" + details(e) + ")", e)
                    : new KmsException(what + " failed: " + state + " (" + details(e) + ")", e);
        }
        if (e instanceof KeyUnavailableException || e instanceof DependencyTimeoutException
                || e instanceof KmsInternalException) {
            return new KmsUnavailableException(what + " failed, KMS temporarily unavailable: " + details(e), e);
        }
        if (e instanceof AwsServiceException service) {
            final int status = service.statusCode();
            if (service.isThrottlingException() || status == 429) {
                return new KmsUnavailableException(what + " throttled: " + details(e), e);
            }
            if (status == 501) {
                return new KmsException(what + " failed: operation not implemented by this endpoint (" + details(e) + ")", e);
            }
            if (status >= 500) {
                return new KmsUnavailableException(what + " failed, KMS temporarily unavailable: " + details(e), e);
            }
            final String code = errorCode(service);
            if (code.startsWith("AccessDenied") || code.equals("UnrecognizedClientException")
                    || code.equals("InvalidSignatureException") || code.equals("ExpiredTokenException")) {
                // AWS's access-denied text names the principal and action (no secrets) and is what operators need.
                final String reason = service.awsErrorDetails() == null ? ""
                        : ": " + ProviderSettings.oneLine(service.awsErrorDetails().errorMessage(), 300);
                return new KmsException(what + " denied (" + details(e) + ")" + reason, e);
            }
            return new KmsException(what + " failed: " + details(e), e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException || hasIoCause(e)) {
            return new KmsUnavailableException(what + " failed, KMS unreachable: " + rootCause(e), e);
        }
        // Missing credentials or region, an unbuildable request: retrying will not help.
        return new KmsException(what + " failed: " + e.getClass().getSimpleName() + " "
                + ProviderSettings.oneLine(e.getMessage(), 300), e);
    }

    private static String details(final SdkException e) {
        if (e instanceof AwsServiceException service) {
            final String requestId = service.requestId();
            return errorCode(service) + ", HTTP " + service.statusCode()
                    + (requestId == null || requestId.isEmpty() ? "" : ", request id " + requestId);
        }
        return e.getClass().getSimpleName();
    }

    private static String errorCode(final AwsServiceException e) {
        final String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null || code.isEmpty() ? e.getClass().getSimpleName() : code;
    }

    private static boolean hasIoCause(final Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(final Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " caused by " + t.getClass().getSimpleName();
    }
}
