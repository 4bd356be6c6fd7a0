package io.sealstream.kms;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helpers shared by the providers' configuration records: the same value grammar as the application's
 * {@code sealstream.*} keys, and secrets that only ever come from the environment (a variable or a file named by one).
 * Error messages are one line, name the key, and never echo a secret.
 */
public final class ProviderSettings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private ProviderSettings() {
    }

    /** The trimmed value of {@code key}, or null if absent or blank. */
    public static String optional(final Map<String, String> config, final String key) {
        final String v = config.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /**
     * A duration: milliseconds as a plain number, a number with {@code ms}, {@code s}, {@code m}, {@code h}, {@code d},
     * or ISO-8601 ({@code PT5S}); errors name the key.
     */
    public static Duration duration(final Map<String, String> config, final String key, final Duration fallback) {
        final String t = optional(config, key);
        if (t == null) {
            return fallback;
        }
        final String error = key + ": not a duration (examples: 500ms, 5s, 2m, PT5S): '" + oneLine(t) + "'";
        if (t.regionMatches(true, 0, "P", 0, 1)) {
            try {
                return Duration.parse(t);
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException(error);
            }
        }
        final Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(error);
        }
        try {
            final long n = Long.parseLong(m.group(1));
            final String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (final NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + ": duration too large");
        }
    }

    /** Fails naming every key under {@code prefix} that is not one of {@code known} (catches typos early). */
    public static void rejectUnknownKeys(final Map<String, String> config, final String prefix, final Set<String> known) {
        final Set<String> unknown = new TreeSet<>();
        for (final String key : config.keySet()) {
            if (key.startsWith(prefix) && !known.contains(key.substring(prefix.length()))) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) " + unknown + "; known under " + prefix + ": "
                    + new TreeSet<>(known));
        }
    }

    /**
     * A secret from the environment variable {@code variable}, or else from the file named by {@code fileVariable}
     * (one trailing newline ignored). The caller owns (and should zero) the returned array.
     *
     * @param what what the secret is, for messages ({@code "PKCS#11 PIN"})
     */
    public static char[] secretFromEnvironment(final Map<String, String> environment, final String variable,
                                               final String fileVariable, final String what) {
        final String direct = environment.get(variable);
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray(); // the String itself can not be zeroed; the environment keeps it anyway
        }
        final String file = environment.get(fileVariable);
        if (file == null || file.isBlank()) {
            throw new KmsException("no " + what + ": set " + variable + ", or " + fileVariable + " to a file holding it");
        }
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (final IOException | RuntimeException e) {
            // The variable's value is not echoed: users who mix up the two variables put the secret itself there.
            throw new KmsException("cannot read the " + what + " file named by " + fileVariable + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        final CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        Arrays.fill(bytes, (byte) 0);
        int length = decoded.remaining();
        if (length > 0 && decoded.get(length - 1) == '\n') {
            length--;
            if (length > 0 && decoded.get(length - 1) == '\r') {
                length--;
            }
        }
        final char[] secret = new char[length];
        decoded.get(secret, 0, length);
        if (decoded.hasArray()) {
            Arrays.fill(decoded.array(), '\0');
        }
        if (length == 0) {
            throw new KmsException("the " + what + " file named by " + fileVariable + " is empty");
        }
        return secret;
    }

    /** {@code text} on one line (line breaks and other control characters become spaces), at most 200 characters. */
    public static String oneLine(final String text) {
        if (text == null) {
            return "";
        }
        final StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            final char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString().strip();
    }
}
