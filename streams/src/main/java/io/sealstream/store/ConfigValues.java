package io.sealstream.store;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of human-written configuration values: byte sizes and durations. */
final class ConfigValues {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    private ConfigValues() {
    }

    /**
     * A size in bytes: a plain number of bytes, or a number with a binary unit {@code k}, {@code m}, {@code g},
     * {@code t}, optionally followed by {@code b} or {@code ib}, in any case: {@code 8m}, {@code 8MB}, {@code 8MiB}
     * all mean 8 × 2<sup>20</sup> bytes (as for JVM options: these are buffer sizes, not disk marketing).
     */
    static long parseSize(final String text) {
        final Matcher m = SIZE.matcher(text.trim());
        if (!m.matches() || m.group(2).isEmpty() && m.group(3) != null && m.group(3).length() == 2) {
            throw new IllegalArgumentException("not a size (examples: 5242880, 8m, 16MiB): '" + StoreSupport.oneLine(text) + "'");
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
            throw new IllegalArgumentException("size too large: '" + StoreSupport.oneLine(text) + "'");
        }
    }

    /** Formats a size the way {@link #parseSize} reads it, exactly: {@code 16MiB}, {@code 5000B}. */
    static String formatSize(final long bytes) {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long n = bytes;
        int unit = 0;
        while (n != 0 && n % 1024 == 0 && unit < units.length - 1) {
            n /= 1024;
            unit++;
        }
        return n + units[unit];
    }

    /** A duration: milliseconds as a plain number, a number with {@code ms}, {@code s}, {@code m}, {@code h}, or ISO-8601. */
    static Duration parseDuration(final String text) {
        final String t = text.trim();
        if (t.regionMatches(true, 0, "PT", 0, 2)) {
            try {
                return Duration.parse(t);
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration (examples: 500ms, 5s, PT5S): '" + StoreSupport.oneLine(text) + "'");
            }
        }
        final Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 5s, PT5S): '" + StoreSupport.oneLine(text) + "'");
        }
        try {
            final long n = Long.parseLong(m.group(1));
            final String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (final NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("duration too large: '" + StoreSupport.oneLine(text) + "'");
        }
    }
}
