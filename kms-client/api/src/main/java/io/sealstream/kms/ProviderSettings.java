package io.sealstream.kms;

import io.sealstream.config.ConfigValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Reading provider settings ({@code sealstream.kms.<provider>.*}) and secrets from the environment, for the
 * providers' {@code fromProperties(config, env)} factories. Durations use the one grammar of every setting
 * ({@link ConfigValues}): milliseconds as a plain number, a number with {@code ms|s|m|h|d}, or ISO-8601
 * ({@code PT5S}). Error messages name the key or variable, never a secret value.
 */
public final class ProviderSettings {

    private ProviderSettings() {
    }

    /** The trimmed value, or {@code defaultValue} when absent or blank. */
    public static String string(final Map<String, String> config, final String key, final String defaultValue) {
        final String value = config.get(key);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    public static String required(final Map<String, String> config, final String key) {
        final String value = string(config, key, null);
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    public static Duration duration(final Map<String, String> config, final String key, final Duration defaultValue) {
        final String value = string(config, key, null);
        if (value == null) {
            return defaultValue;
        }
        final Duration parsed;
        try {
            parsed = parseDuration(value);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
        return parsed;
    }

    public static int positiveInt(final Map<String, String> config, final String key, final int defaultValue) {
        final String value = string(config, key, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            final int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (final NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " must be a positive whole number");
    }

    /** The one duration grammar of every sealstream.* setting ({@link ConfigValues#parseDuration}). */
    static Duration parseDuration(final String text) {
        return ConfigValues.parseDuration(text);
    }

    /**
     * A secret from environment variable {@code directVariable}, else from the file named by {@code fileVariable}
     * (one trailing newline ignored), else null. The bytes belong to the caller, who should zero them.
     * Errors name the variables, never their values (people mix the two up and put the secret in the file one).
     */
    public static byte[] secretFromEnvironment(final Map<String, String> environment, final String directVariable,
                                               final String fileVariable) {
        final String direct = environment.get(directVariable);
        if (direct != null && !direct.isEmpty()) {
            return direct.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        final String file = environment.get(fileVariable);
        if (file == null || file.isBlank()) {
            return null;
        }
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file.trim()));
        } catch (final IOException | RuntimeException e) {
            throw new KmsException("cannot read the file named by " + fileVariable + " (" + e.getClass().getSimpleName() + ")", e);
        }
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        if (length == bytes.length) {
            return bytes;
        }
        final byte[] trimmed = Arrays.copyOf(bytes, length);
        Arrays.fill(bytes, (byte) 0);
        return trimmed;
    }

    /** Message text from elsewhere (a server, an exception) as one bounded line. */
    public static String oneLine(final String text, final int maxChars) {
        if (text == null) {
            return "";
        }
        final String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() <= maxChars ? flat : flat.substring(0, maxChars) + "...";
    }

    /** The trimmed value of {@code key}, or null if absent or blank. */
    public static String optional(final Map<String, String> config, final String key) {
        return string(config, key, null);
    }

    /** Fails naming every key under {@code prefix} that is not one of {@code known} (catches typos early). */
    public static void rejectUnknownKeys(final Map<String, String> config, final String prefix,
                                         final java.util.Set<String> known) {
        final java.util.Set<String> unknown = new java.util.TreeSet<>();
        for (final String key : config.keySet()) {
            if (key.startsWith(prefix) && !known.contains(key.substring(prefix.length()))) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) " + unknown + "; known under " + prefix + ": "
                    + new java.util.TreeSet<>(known));
        }
    }

    /**
     * A secret as characters (a PIN, a passphrase) from the environment variable {@code variable}, or else from the
     * file named by {@code fileVariable} (one trailing newline ignored). The caller owns (and should zero) the array.
     *
     * @param what what the secret is, for messages ({@code "PKCS#11 PIN"})
     */
    public static char[] secretCharsFromEnvironment(final Map<String, String> environment, final String variable,
                                                    final String fileVariable, final String what) {
        final String direct = environment.get(variable);
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray(); // the String itself can not be zeroed; the environment keeps it anyway
        }
        final String file = environment.get(fileVariable);
        if (file == null || file.isBlank()) {
            throw new KmsException("no " + what + ": set " + variable + ", or " + fileVariable + " to a file holding it");
        }
        final byte[] bytes = secretFromEnvironment(Map.of(fileVariable, file), variable + ".unused", fileVariable);
        try {
            final java.nio.CharBuffer decoded = java.nio.charset.StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(bytes));
            final char[] secret = new char[decoded.remaining()];
            decoded.get(secret);
            if (decoded.hasArray()) {
                Arrays.fill(decoded.array(), '\0');
            }
            if (secret.length == 0) {
                throw new KmsException("the " + what + " file named by " + fileVariable + " is empty");
            }
            return secret;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** {@code text} on one line, at most 200 characters. */
    public static String oneLine(final String text) {
        return oneLine(text, 200);
    }
}
