package io.sealstream.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One declared setting: its name, type, default and documentation, and how its value is read (the grammar of
 * {@link ConfigValues}). Every {@code sealstream.*} key is declared once, as a {@code public static final} constant of
 * its module's {@link ConfigKeySet}; the {@link ConfigRegistry} validates a whole configuration against the
 * declarations and renders them as the reference page ({@code docs/CONFIGURATION.md}).
 *
 * <p>A declaration whose name holds placeholders in angle brackets declares a <em>family</em> of keys
 * ({@link Kind#FAMILY}): {@code sealstream.keys.tenant.<tenant>} covers {@code sealstream.keys.tenant.acme} and every
 * other tenant. A placeholder stands for one or more characters of any kind (dots included).
 *
 * <p>Values are read as text (a {@code Map<String, ?>} value's {@code toString()}), trimmed; a blank value counts as
 * absent and yields the default. A value already of the key's Java type (a {@code Duration} put in by code) is taken
 * as it is. Errors are {@link IllegalArgumentException}s with a one-line message naming the key and the value's
 * problem; the value of a {@linkplain #secret() secret} key is never part of a message.
 *
 * @param <T> the Java type of the value
 */
public final class ConfigKey<T> {

    /** Whether a declaration names one key or a family of keys. */
    public enum Kind {
        /** One key, named exactly. */
        KEY,
        /** Every key matching a name with {@code <placeholder>} parts. */
        FAMILY
    }

    private static final int MAX_SHOWN_CHARS = 80;
    private static final int MAX_PROBLEM_CHARS = 240;

    private final String name;
    private final Kind kind;
    private final String type;
    private final Class<?> valueClass;
    private final T defaultValue;
    private final String defaultText;
    private final boolean required;
    private final boolean secret;
    private final String doc;
    private final Function<String, ? extends T> parser;
    private final Function<? super T, String> formatter;
    private final List<Requirement<T>> requirements;
    private final KeyName keyName;

    private record Requirement<T>(Predicate<? super T> test, String what) {
    }

    private ConfigKey(final String name, final String type, final Class<?> valueClass, final T defaultValue,
                      final String defaultText, final boolean required, final boolean secret, final String doc,
                      final Function<String, ? extends T> parser, final Function<? super T, String> formatter,
                      final List<Requirement<T>> requirements) {
        this.keyName = KeyName.of(name);
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.valueClass = Objects.requireNonNull(valueClass, "valueClass");
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.required = required;
        this.secret = secret;
        this.doc = oneLine(Objects.requireNonNull(doc, "doc")).trim();
        if (this.doc.isEmpty()) {
            throw new IllegalArgumentException(name + ": a declared setting needs a description");
        }
        this.parser = Objects.requireNonNull(parser, "parser");
        this.formatter = Objects.requireNonNull(formatter, "formatter");
        this.requirements = List.copyOf(requirements);
        this.kind = keyName.placeholders().isEmpty() ? Kind.KEY : Kind.FAMILY;
        if (defaultValue != null && !valueClass.isInstance(defaultValue)) {
            throw new IllegalArgumentException(name + ": default is not a " + valueClass.getSimpleName());
        }
        if (defaultValue != null && required) {
            throw new IllegalArgumentException(name + ": a required setting has no default");
        }
    }

    // ---------------------------------------------------------------------------------------------- factories

    /** A duration ({@link ConfigValues#parseDuration}: {@code 500ms}, {@code 5s}, {@code 7d}, {@code PT5S}). */
    public static ConfigKey<Duration> duration(final String name, final Duration defaultValue, final String doc) {
        return new ConfigKey<>(name, "duration", Duration.class, defaultValue, null, false, false, doc,
                ConfigValues::parseDuration, ConfigValues::formatDuration, List.of());
    }

    /** A size in bytes ({@link ConfigValues#parseSize}: {@code 5242880}, {@code 8m}, {@code 16MiB}). */
    public static ConfigKey<Long> size(final String name, final Long defaultValue, final String doc) {
        return new ConfigKey<>(name, "size", Long.class, defaultValue, null, false, false, doc,
                ConfigValues::parseSize, ConfigValues::formatSize, List.of());
    }

    /** {@code true} or {@code false}, in any case; anything else is an error (unlike {@link Boolean#parseBoolean}). */
    public static ConfigKey<Boolean> bool(final String name, final Boolean defaultValue, final String doc) {
        return new ConfigKey<>(name, "boolean", Boolean.class, defaultValue, null, false, false, doc,
                ConfigValues::parseBoolean, String::valueOf, List.of());
    }

    /** A whole number that fits an {@code int}. */
    public static ConfigKey<Integer> integer(final String name, final Integer defaultValue, final String doc) {
        return integer(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE, doc);
    }

    /** A whole number between {@code min} and {@code max}, both included. */
    public static ConfigKey<Integer> integer(final String name, final Integer defaultValue, final int min, final int max,
                                             final String doc) {
        if (min > max) {
            throw new IllegalArgumentException(name + ": min > max");
        }
        final String range = ConfigValues.rangeText(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new ConfigKey<>(name, "integer" + range, Integer.class, defaultValue, null, false, false, doc,
                text -> (int) ConfigValues.parseInteger(text, min, max, range), String::valueOf, List.of());
    }

    /** A whole number that fits a {@code long}, between {@code min} and {@code max}, both included. */
    public static ConfigKey<Long> longInteger(final String name, final Long defaultValue, final long min, final long max,
                                              final String doc) {
        if (min > max) {
            throw new IllegalArgumentException(name + ": min > max");
        }
        final String range = ConfigValues.rangeText(min, max, Long.MIN_VALUE, Long.MAX_VALUE);
        return new ConfigKey<>(name, "integer" + range, Long.class, defaultValue, null, false, false, doc,
                text -> ConfigValues.parseInteger(text, min, max, range), String::valueOf, List.of());
    }

    /** Free text, trimmed. */
    public static ConfigKey<String> string(final String name, final String defaultValue, final String doc) {
        return new ConfigKey<>(name, "string", String.class, defaultValue, null, false, false, doc, Function.identity(),
                Function.identity(), List.of());
    }

    /**
     * One of {@code allowed}, matched ignoring case and with {@code -} and {@code _} taken as the same; the value is
     * returned spelled as declared.
     */
    public static ConfigKey<String> choice(final String name, final String defaultValue, final String doc,
                                           final String... allowed) {
        final List<String> values = List.of(allowed);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + ": a choice needs allowed values");
        }
        if (defaultValue != null && !values.contains(defaultValue)) {
            throw new IllegalArgumentException(name + ": default '" + defaultValue + "' is not one of " + values);
        }
        return new ConfigKey<>(name, "one of " + values.stream().map(v -> "`" + v + "`").collect(Collectors.joining(", ")),
                String.class, defaultValue, null, false, false, doc, text -> ConfigValues.pick(text, values, Function.identity()),
                Function.identity(), List.of());
    }

    /** A constant of {@code type} by its {@code name()}, matched as {@link #choice} matches. */
    public static <E extends Enum<E>> ConfigKey<E> enumOf(final String name, final Class<E> type, final E defaultValue,
                                                          final String doc) {
        return enumOf(name, type, defaultValue, Enum::name, doc);
    }

    /** A constant of {@code type} as {@code spelling} writes it (e.g. in lower case), matched as {@link #choice} matches. */
    public static <E extends Enum<E>> ConfigKey<E> enumOf(final String name, final Class<E> type, final E defaultValue,
                                                          final Function<? super E, String> spelling, final String doc) {
        final List<E> constants = List.of(type.getEnumConstants());
        return new ConfigKey<>(name, "one of " + constants.stream().map(c -> "`" + spelling.apply(c) + "`")
                .collect(Collectors.joining(", ")), type, defaultValue, null, false, false, doc,
                text -> ConfigValues.pick(text, constants, spelling), spelling, List.of());
    }

    /** Free text that must never be shown: not in messages, not in logs; no default. */
    public static ConfigKey<String> secret(final String name, final String doc) {
        return string(name, null, doc).asSecret();
    }

    /** A comma-separated list of non-blank items, trimmed; absent means the empty list. */
    public static ConfigKey<List<String>> list(final String name, final String doc) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        final Class<List<String>> listClass = (Class) List.class;
        return new ConfigKey<List<String>>(name, "list", listClass, List.of(), null, false, false, doc,
                ConfigValues::parseList, l -> String.join(",", l), List.of());
    }

    /** A file system path (not checked for existence). */
    public static ConfigKey<Path> path(final String name, final Path defaultValue, final String doc) {
        return new ConfigKey<>(name, "path", Path.class, defaultValue, null, false, false, doc, ConfigValues::parsePath,
                Path::toString, List.of());
    }

    /**
     * An absolute {@code http} or {@code https} URL with a host. Errors never show the value (a URL may carry
     * credentials as user info).
     */
    public static ConfigKey<URI> url(final String name, final String doc) {
        return new ConfigKey<>(name, "URL", URI.class, null, null, false, false, doc, ConfigValues::parseUrl,
                URI::toString, List.of());
    }

    /**
     * Any other type: {@code parser} reads the trimmed text and throws {@link IllegalArgumentException} with the
     * problem; {@code formatter} writes a value the way the parser reads it (for the default in the docs).
     */
    public static <T> ConfigKey<T> custom(final String name, final String type, final Class<T> valueClass,
                                          final T defaultValue, final Function<String, ? extends T> parser,
                                          final Function<? super T, String> formatter, final String doc) {
        return new ConfigKey<>(name, type, valueClass, defaultValue, null, false, false, doc, parser, formatter,
                List.of());
    }

    // ---------------------------------------------------------------------------------------------- modifiers

    /** The same key, required: absent or blank is an error. Only for keys without a default. */
    public ConfigKey<T> required() {
        return new ConfigKey<>(name, type, valueClass, defaultValue, defaultText, true, secret, doc, parser, formatter,
                requirements);
    }

    /** The same key, its values never shown. */
    public ConfigKey<T> asSecret() {
        return new ConfigKey<>(name, type, valueClass, defaultValue, defaultText, required, true, doc, parser,
                formatter, requirements);
    }

    /**
     * The same key, with its default described in words in the docs ({@code "the host name"}), for defaults computed
     * at run time or taken from elsewhere. Markdown is allowed.
     */
    public ConfigKey<T> withDefaultText(final String text) {
        return new ConfigKey<>(name, type, valueClass, defaultValue, Objects.requireNonNull(text, "text"), required,
                secret, doc, parser, formatter, requirements);
    }

    /** The same key, whose values must also pass {@code test}; {@code what} completes "must be ..." in messages. */
    public ConfigKey<T> require(final Predicate<? super T> test, final String what) {
        final List<Requirement<T>> more = new ArrayList<>(requirements);
        more.add(new Requirement<>(Objects.requireNonNull(test, "test"), Objects.requireNonNull(what, "what")));
        if (defaultValue != null && !test.test(defaultValue)) {
            throw new IllegalArgumentException(name + ": the default does not satisfy its own requirement: " + what);
        }
        return new ConfigKey<>(name, type, valueClass, defaultValue, defaultText, required, secret, doc, parser,
                formatter, more);
    }

    /** The same key, its values (durations or numbers) required to be above zero. */
    public ConfigKey<T> positive() {
        if (!Duration.class.equals(valueClass) && !Number.class.isAssignableFrom(valueClass)) {
            throw new IllegalStateException(name + ": positive() applies to durations and numbers");
        }
        return require(ConfigValues::isPositive, "positive");
    }

    /** The same key, its values (durations or numbers) required to be zero or more. */
    public ConfigKey<T> notNegative() {
        if (!Duration.class.equals(valueClass) && !Number.class.isAssignableFrom(valueClass)) {
            throw new IllegalStateException(name + ": notNegative() applies to durations and numbers");
        }
        return require(v -> !ConfigValues.isNegative(v), "zero or more");
    }

    // ---------------------------------------------------------------------------------------------- reading

    /**
     * The value of this key in {@code config}: parsed and checked, or the default (null for an optional key without
     * one) when it is absent or blank.
     *
     * @throws IllegalArgumentException one line naming the key, if the value is wrong or a required key is missing
     * @throws IllegalStateException    for a {@linkplain Kind#FAMILY family} (use {@link #values})
     */
    public T get(final Map<String, ?> config) {
        if (kind == Kind.FAMILY) {
            throw new IllegalStateException(name + " is a family of keys: read it with values(config)");
        }
        final Object v = config.get(name);
        if (isAbsent(v)) {
            if (required) {
                throw new IllegalArgumentException(name + ": required, not set");
            }
            return defaultValue;
        }
        return parse(name, v);
    }

    /**
     * Every key of this family (or this one key) present in {@code config} with a non-blank value, sorted by key,
     * each parsed and checked. A blank value of a family member is an error: a family has no default.
     */
    public SortedMap<String, T> values(final Map<String, ?> config) {
        final SortedMap<String, T> out = new TreeMap<>();
        for (final Map.Entry<String, ?> e : new TreeMap<String, Object>(config).entrySet()) {
            if (!matches(e.getKey())) {
                continue;
            }
            if (isAbsent(e.getValue())) {
                if (kind == Kind.FAMILY) {
                    throw new IllegalArgumentException(e.getKey() + ": no value");
                }
                continue;
            }
            out.put(e.getKey(), parse(e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * Parses and checks {@code value} as the value of {@code key} (this key, or a member of this family).
     *
     * @throws IllegalArgumentException one line naming {@code key}; the value is shown only if the key is not secret
     */
    public T parse(final String key, final Object value) {
        if (!matches(key)) {
            throw new IllegalArgumentException(key + " is not " + name);
        }
        Objects.requireNonNull(value, "value");
        final T parsed;
        if (!(value instanceof String) && valueClass.isInstance(value)) {
            @SuppressWarnings("unchecked")
            final T typed = (T) value;
            parsed = typed;
        } else {
            final String text = value.toString().trim();
            if (text.isEmpty()) {
                throw new IllegalArgumentException(key + ": no value");
            }
            try {
                parsed = parser.apply(text);
            } catch (final IllegalArgumentException | ArithmeticException e) {
                if (secret) {
                    throw new IllegalArgumentException(key + ": not a valid " + type + " (the value of a secret "
                            + "setting is not shown)");
                }
                throw new IllegalArgumentException(key + ": " + bounded(String.valueOf(e.getMessage()), MAX_PROBLEM_CHARS));
            }
        }
        for (final Requirement<T> r : requirements) {
            if (!r.test().test(parsed)) {
                // A URL may carry credentials as user info: like a secret, it is not shown.
                final boolean show = !secret && !URI.class.equals(valueClass);
                throw new IllegalArgumentException(key + ": must be " + r.what()
                        + (show ? ", got '" + shown(value) + "'" : ""));
            }
        }
        return parsed;
    }

    /** Whether {@code key} is this key, or a member of this family. */
    public boolean matches(final String key) {
        return keyName.matches(key);
    }

    /** For a family: the placeholder values of {@code key} ({@code [acme]} for {@code sealstream.keys.tenant.acme}). */
    public List<String> placeholderValues(final String key) {
        return keyName.placeholderValues(key);
    }

    /** For a family: the member named by {@code values}, one per placeholder, in order. */
    public String name(final String... values) {
        return keyName.member(values);
    }

    // ---------------------------------------------------------------------------------------------- description

    /** The key, or the family's name with its {@code <placeholders>}. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The placeholders of a family's name ({@code [tenant]}), empty for a single key. */
    public List<String> placeholders() {
        return keyName.placeholders();
    }

    /** The value's type as the docs name it: {@code duration}, {@code size}, {@code one of `a`, `b`}, ... */
    public String type() {
        return type;
    }

    /** The Java type of the value. */
    public Class<?> valueClass() {
        return valueClass;
    }

    /** The default, or null: required, or optional without one (see {@link #isRequired}). */
    public T defaultValue() {
        return defaultValue;
    }

    public boolean isRequired() {
        return required;
    }

    public boolean isSecret() {
        return secret;
    }

    /** What the setting does, on one line. */
    public String doc() {
        return doc;
    }

    /** What each value must also be ({@code positive}, ...), as the docs list it. */
    public List<String> requirements() {
        return requirements.stream().map(Requirement::what).toList();
    }

    /** {@code value} written the way this key reads it ({@code 16MiB}, {@code 5s}). */
    public String format(final T value) {
        return formatter.apply(value);
    }

    /**
     * The default as the docs show it: the words given by {@link #withDefaultText}, else the formatted default in
     * backticks, {@code required}, or {@code —} (none).
     */
    public String defaultDescription() {
        if (defaultText != null) {
            return defaultText;
        }
        if (required) {
            return "required";
        }
        if (defaultValue == null || defaultValue instanceof List<?> l && l.isEmpty()) {
            return "—";
        }
        return "`" + formatter.apply(defaultValue) + "`";
    }

    /**
     * The environment variable that sets this key through the application's {@code SEALSTREAM_CONFIG_<KEY>} mapping:
     * upper case, {@code .} written {@code _}, {@code -} written {@code __}.
     */
    public String environmentVariable() {
        return "SEALSTREAM_CONFIG_" + name.replace("-", "__").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof ConfigKey<?> k && k.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------------------------------------- parsing

    private static boolean isAbsent(final Object v) {
        return v == null || v.toString().isBlank();
    }

    private static String shown(final Object value) {
        return bounded(String.valueOf(value).trim());
    }

    
    
    
    
    
    
    
    

    private static String bounded(final String text) {
        return bounded(text, MAX_SHOWN_CHARS);
    }

    /** A value cut to what an error message may show, on one line. */
    static String boundedText(final String text) {
        return bounded(text, MAX_SHOWN_CHARS);
    }

    private static String bounded(final String text, final int max) {
        final String t = oneLine(text);
        return t.length() <= max ? t : t.substring(0, max) + "...";
    }

    static String oneLine(final String s) {
        return s.replaceAll("[\\r\\n\\t\\u2028\\u2029]+", " ");
    }
}
