package io.sealstream.kms.pkcs11;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.ProviderSettings;
import java.security.ProviderException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps SunPKCS11 failures to one-line KMS exceptions by their PKCS#11 return value ({@code CKR_...}). */
final class Pkcs11Errors {

    private static final Pattern CKR = Pattern.compile("CKR_[A-Z0-9_]+");
    /** Return values after which the same call can succeed once the device or session is back. */
    static final Set<String> TRANSIENT = Set.of("CKR_DEVICE_ERROR", "CKR_DEVICE_MEMORY", "CKR_DEVICE_REMOVED",
            "CKR_TOKEN_NOT_PRESENT", "CKR_SESSION_CLOSED", "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_COUNT",
            "CKR_HOST_MEMORY", "CKR_FUNCTION_FAILED", "CKR_USER_NOT_LOGGED_IN", "CKR_OPERATION_ACTIVE",
            "CKR_CRYPTOKI_NOT_INITIALIZED", "CKR_CANT_LOCK", "CKR_FUNCTION_CANCELED");
    /** Return values after which logging in again and re-reading the labels may let the same call succeed. */
    static final Set<String> RECOVERABLE = Set.of("CKR_USER_NOT_LOGGED_IN", "CKR_KEY_HANDLE_INVALID",
            "CKR_OBJECT_HANDLE_INVALID", "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED");

    private Pkcs11Errors() {
    }

    /** A one-line KmsException for a SunPKCS11 failure: transient for device/session trouble, else permanent. */
    static KmsException classify(final String token, final String what, final Throwable e) {
        final String code = ckr(e);
        final String message = "PKCS#11 " + what + " failed on " + token + ": " + (code != null ? code : rootMessage(e));
        if (code != null && TRANSIENT.contains(code) || isTokenGone(e)) {
            return new KmsUnavailableException(message, e);
        }
        return new KmsException(message, e);
    }

    private static boolean isTokenGone(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProviderException && String.valueOf(t.getMessage()).contains("Token has been removed")) {
                return true;
            }
        }
        return false;
    }

    /** The first PKCS#11 return value ({@code CKR_...}) named in the cause chain, or null. */
    static String ckr(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            final Matcher m = CKR.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group();
            }
        }
        return null;
    }

    static String rootMessage(final Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String message = root.getMessage();
        return ProviderSettings.oneLine(root.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    static KeyNotFoundException notFound(final KekRef ref, final String token) {
        return new KeyNotFoundException("KEK version " + ref + " not found in " + token);
    }
}
