package io.sealstream.kms.customer;

import io.sealstream.kms.KeyBinding;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.ProviderSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;

/**
 * The service secret under which customer keys are fingerprinted: {@code HMAC-SHA256(fingerprintKey,
 * encode("sealstream-cpk-fingerprint-v1", keyId) || customerKey)}. Keyed, so a stored fingerprint is no offline test
 * for guesses of a (possibly weak) customer key and fingerprints of two deployments can not be correlated.
 * <b>Holds key material</b>: {@link #toString()} never shows it, {@link #destroy()} zeroes it.
 */
public final class FingerprintKey implements Destroyable, AutoCloseable {

    /** Environment variable holding the fingerprint key as base64 or hex (at least 32 bytes). */
    public static final String KEY_ENV = "SEALSTREAM_CPK_FINGERPRINT_KEY";
    /** Environment variable naming a file holding the fingerprint key (raw bytes, base64 or hex). */
    public static final String KEY_FILE_ENV = "SEALSTREAM_CPK_FINGERPRINT_KEY_FILE";
    /** Shortest accepted fingerprint key. */
    public static final int MIN_BYTES = 32;

    static final String LABEL = "sealstream-cpk-fingerprint-v1";
    /** Fingerprint bytes kept in a version label: 128 bits, as 32 hex characters. */
    static final int FINGERPRINT_BYTES = 16;

    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");

    private final byte[] key;
    private volatile boolean destroyed;

    /** Copies {@code key}; the caller may zero its array. */
    public FingerprintKey(final byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_BYTES) {
            throw new KmsException("customer-key fingerprint key must be at least " + MIN_BYTES + " bytes");
        }
        this.key = key.clone();
    }

    /** From {@value #KEY_ENV} or the file named by {@value #KEY_FILE_ENV}. */
    public static FingerprintKey fromEnvironment(final Map<String, String> env) {
        final byte[] raw = ProviderSettings.secretFromEnvironment(env, KEY_ENV, KEY_FILE_ENV);
        if (raw == null) {
            throw new KmsException("no customer-key fingerprint key: set " + KEY_ENV + " (base64 or hex, at least "
                    + MIN_BYTES + " bytes), or " + KEY_FILE_ENV + " to a file holding it");
        }
        final byte[] decoded = decodeText(raw);
        try {
            if (decoded != null) {
                return new FingerprintKey(decoded);
            }
            if (env.get(KEY_ENV) == null || env.get(KEY_ENV).isEmpty()) {
                return new FingerprintKey(raw); // a binary key file
            }
            throw new KmsException(KEY_ENV + " is neither base64 nor hex");
        } finally {
            Arrays.fill(raw, (byte) 0);
            if (decoded != null) {
                Arrays.fill(decoded, (byte) 0);
            }
        }
    }

    /** Hex or base64 text (surrounding whitespace ignored), or null if {@code bytes} are neither. */
    static byte[] decodeText(final byte[] bytes) {
        final String text = new String(bytes, StandardCharsets.ISO_8859_1).strip();
        if (text.isEmpty()) {
            return null;
        }
        if (HEX.matcher(text).matches() && text.length() >= 2 * MIN_BYTES) {
            return HexFormat.of().parseHex(text);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (final IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text);
            } catch (final IllegalArgumentException e2) {
                return null;
            }
        }
    }

    /** The version label of {@code customerKey} registered as {@code keyId}: {@code fp-} and 32 hex characters. */
    String fingerprint(final String keyId, final byte[] customerKey) {
        if (destroyed) {
            throw new IllegalStateException("customer-key fingerprint key has been destroyed");
        }
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(KeyBinding.encode(LABEL, keyId));
            mac.update(customerKey);
            final byte[] tag = mac.doFinal();
            final String version = "fp-" + HexFormat.of().formatHex(tag, 0, FINGERPRINT_BYTES);
            Arrays.fill(tag, (byte) 0);
            return version;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    FingerprintKey copy() {
        if (destroyed) {
            throw new IllegalStateException("customer-key fingerprint key has been destroyed");
        }
        return new FingerprintKey(key);
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "FingerprintKey[<redacted>" + (destroyed ? ", destroyed" : "") + "]";
    }
}
