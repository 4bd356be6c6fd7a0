package io.sealstream.pipeline;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human forms of sealstream settings: sizes ({@code 16MiB}, {@code 8m}, bytes) and durations. */
public final class ConfigValues {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private ConfigValues() {
    }

    /** Bytes from {@code 1048576}, {@code 1MiB}, {@code 1m}, {@code 1MB} (all binary multiples). */
    public static long parseSize(final String key, final String value) {
        final Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": expected a size such as 1048576, 64KiB, 16MiB or 1GiB, got '"
                    + value + "'");
        }
        final int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (final ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(key + ": size too large: '" + value + "'");
        }
    }

    /** A duration from ISO-8601 ({@code PT30S}) or {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}. */
    public static Duration parseDuration(final String key, final String value) {
        final String v = value.trim();
        final Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            final long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": expected a duration such as 500ms, 30s, 5m, 1h, 7d or PT30S, got '"
                    + value + "'");
        }
    }

    public static String string(final Map<String, ?> config, final String key, final String fallback) {
        final Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    public static long size(final Map<String, ?> config, final String key, final long fallback) {
        final Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : parseSize(key, v.toString());
    }

    public static Duration duration(final Map<String, ?> config, final String key, final Duration fallback) {
        final Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : parseDuration(key, v.toString());
    }
}
