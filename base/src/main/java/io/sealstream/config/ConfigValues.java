package io.sealstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
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

    // ---------------------------------------------------------------- the grammar of declared keys (ConfigKey)

    static Boolean parseBoolean(final String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("expected true or false, got '" + ConfigKey.boundedText(text) + "'");
    }

    static long parseInteger(final String text, final long min, final long max, final String range) {
        final long n;
        try {
            n = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number: '" + ConfigKey.boundedText(text) + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(range.isEmpty() ? "out of range: " + n : "must be" + range + ", got " + n);
        }
        return n;
    }

    static String rangeText(final long min, final long max, final long lowest, final long highest) {
        if (min == lowest && max == highest) {
            return "";
        }
        if (max == highest) {
            return " >= " + min;
        }
        if (min == lowest) {
            return " <= " + max;
        }
        return " " + min + ".." + max;
    }

    static <V> V pick(final String text, final List<V> allowed, final Function<? super V, String> spelling) {
        final String wanted = normalised(text);
        for (final V v : allowed) {
            if (normalised(spelling.apply(v)).equals(wanted)) {
                return v;
            }
        }
        throw new IllegalArgumentException("expected one of " + allowed.stream().map(spelling)
                .collect(Collectors.joining(", ")) + ", got '" + ConfigKey.boundedText(text) + "'");
    }

    static String normalised(final String s) {
        return s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    }

    static List<String> parseList(final String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static Path parsePath(final String text) {
        try {
            return Path.of(text);
        } catch (final InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + oneLine(String.valueOf(e.getReason())));
        }
    }

    static URI parseUrl(final String text) {
        final URI uri;
        try {
            uri = new URI(text);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + oneLine(e.getReason()) + " at index " + e.getIndex() + ")");
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an absolute http(s) URL such as https://host:port");
        }
        return uri;
    }


    /** The shortest exact spelling in the grammar: {@code 500ms}, {@code 5s}, {@code 1m}, {@code 7d}. */
    static String formatDuration(final Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        final long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        final long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        final String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    /** A duration or number above zero. */
    static boolean isPositive(final Object v) {
        if (v instanceof Duration d) {
            return !d.isNegative() && !d.isZero();
        }
        return ((Number) v).doubleValue() > 0;
    }

    /** A duration or number below zero. */
    static boolean isNegative(final Object v) {
        if (v instanceof Duration d) {
            return d.isNegative();
        }
        return ((Number) v).doubleValue() < 0;
    }
}
