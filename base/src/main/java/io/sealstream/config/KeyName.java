package io.sealstream.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a declared setting and, for a family ({@code sealstream.keys.tenant.<tenant>}), how its members are
 * recognised and named: kept apart from {@link ConfigKey} so the key's type and value rules read on their own.
 */
record KeyName(String name, List<String> placeholders, Pattern pattern) {

    private static final Pattern PLACEHOLDER = Pattern.compile("<([A-Za-z0-9_-]+)>");
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:-[a-z0-9]+)*(?:\\.(?:[a-z0-9]+(?:-[a-z0-9]+)*|<[A-Za-z0-9_-]+>))+");

    /** Checks {@code name} against the naming rule and compiles its family pattern, if it has placeholders. */
    static KeyName of(final String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a setting name (lower case words and dashes between dots, "
                    + "<placeholders> for families): '" + name + "'");
        }
        final List<String> names = new ArrayList<>();
        final Matcher m = PLACEHOLDER.matcher(name);
        final StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(name.substring(last, m.start()))).append("(.+?)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(name.substring(last)));
        return new KeyName(name, List.copyOf(names), names.isEmpty() ? null : Pattern.compile(regex.toString()));
    }

    /** Whether {@code key} is this key, or a member of this family. */
    boolean matches(final String key) {
        return pattern == null ? name.equals(key) : key != null && pattern.matcher(key).matches();
    }

    /** For a family: the placeholder values of {@code key} ({@code [acme]} for {@code sealstream.keys.tenant.acme}). */
    List<String> placeholderValues(final String key) {
        if (pattern == null) {
            return List.of();
        }
        final Matcher m = pattern.matcher(key);
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " is not " + name);
        }
        final List<String> out = new ArrayList<>();
        for (int i = 1; i <= m.groupCount(); i++) {
            out.add(m.group(i));
        }
        return out;
    }

    /** For a family: the member named by {@code values}, one per placeholder, in order. */
    String member(final String... values) {
        if (values.length != placeholders.size()) {
            throw new IllegalArgumentException(name + " has " + placeholders.size() + " placeholder(s), got "
                    + values.length + " value(s)");
        }
        final Matcher m = PLACEHOLDER.matcher(name);
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (m.find()) {
            final String v = Objects.requireNonNull(values[i++], "value");
            if (v.isEmpty()) {
                throw new IllegalArgumentException(name + ": placeholder values must not be empty");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
