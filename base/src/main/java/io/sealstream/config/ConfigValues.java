package io.sealstream.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human-written configuration values, one grammar for every {@code sealstream.*} key: byte sizes ({@code 16MiB},
 * {@code 8m}, bytes) and durations ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, ISO-8601).
 * Errors are one line and name the key; values are quoted only after line breaks are flattened.
 */
public final class ConfigValues {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private ConfigValues() {
    }

    /**
     * A size in bytes: a plain number of bytes, or a number with a binary unit {@code k}, {@code m}, {@code g},
     * {@code t}, optionally followed by {@code b} or {@code ib}, in any case: {@code 8m}, {@code 8MB}, {@code 8MiB}
     * all mean 8 × 2<sup>20</sup> bytes (as for JVM options: these are buffer sizes, not disk marketing).
     */
    public static long parseSize(final String text) {
        final Matcher m = SIZE.matcher(text.trim());
        if (!m.matches() || m.group(2).isEmpty() && m.group(3) != null && m.group(3).length() == 2) {
            throw new IllegalArgumentException("not a size (examples: 5242880, 8m, 16MiB): '" + oneLine(text) + "'");
        }
        final int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        try {
            final long number = Long.parseLong(m.group(1));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return number << shift;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + oneLine(text) + "'");
        }
    }

    /** Formats a size the way {@link #parseSize} reads it, exactly: {@code 16MiB}, {@code 5000B}. */
    public static String formatSize(final long bytes) {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long n = bytes;
        int unit = 0;
        while (n != 0 && n % 1024 == 0 && unit < units.length - 1) {
            n /= 1024;
            unit++;
        }
        return n + units[unit];
    }

    /**
     * A duration: milliseconds as a plain number, a number with {@code ms}, {@code s}, {@code m}, {@code h},
     * {@code d}, or ISO-8601 ({@code PT5S}, {@code P7D}).
     */
    public static Duration parseDuration(final String text) {
        final String t = text.trim();
        if (t.regionMatches(true, 0, "P", 0, 1)) {
            try {
                return Duration.parse(t);
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration (examples: 500ms, 5s, 7d, PT5S): '" + oneLine(text) + "'");
            }
        }
        final Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 5s, 7d, PT5S): '" + oneLine(text) + "'");
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
            throw new IllegalArgumentException("duration too large: '" + oneLine(text) + "'");
        }
    }

    /** The trimmed value of {@code key}, or {@code fallback} if it is absent or blank. */
    public static String string(final Map<String, ?> config, final String key, final String fallback) {
        final Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    /** {@link #parseSize} of {@code key}'s value, errors prefixed with the key. */
    public static long size(final Map<String, ?> config, final String key, final long fallback) {
        final Object v = config.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        try {
            return parseSize(v.toString());
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    /** {@link #parseDuration} of {@code key}'s value, errors prefixed with the key. */
    public static Duration duration(final Map<String, ?> config, final String key, final Duration fallback) {
        final Object v = config.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        try {
            return parseDuration(v.toString());
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    private static String oneLine(final String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ");
    }
}
