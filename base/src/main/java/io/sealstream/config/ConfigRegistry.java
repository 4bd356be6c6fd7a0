package io.sealstream.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every declared {@code sealstream.*} setting: the {@link ConfigKeySet}s of the modules on the class path, each key
 * declared once. It checks a whole configuration against the declarations ({@link #validate}) and renders them as the
 * reference page {@code docs/CONFIGURATION.md} ({@link #renderMarkdown}).
 *
 * <p>Keys outside the {@code sealstream.} namespace are Kafka Streams, Kafka client and serde settings: the registry
 * does not look at them.
 */
public final class ConfigRegistry {

    /** The namespace of sealstream's own settings; every other key passes through to Kafka. */
    public static final String NAMESPACE = "sealstream.";

    private static final int WILDCARD = -1;

    private final List<ConfigKeySet> sets;
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private final List<ConfigKey<?>> families = new ArrayList<>();

    private ConfigRegistry(final Collection<? extends ConfigKeySet> sets) {
        final List<ConfigKeySet> sorted = new ArrayList<>(sets);
        sorted.sort(Comparator.comparingInt(ConfigKeySet::order).thenComparing(ConfigKeySet::title)
                .thenComparing(ConfigKeySet::module));
        this.sets = List.copyOf(sorted);
        final Map<String, ConfigKeySet> declaredBy = new TreeMap<>();
        for (final ConfigKeySet set : this.sets) {
            Objects.requireNonNull(set.title(), "title");
            Objects.requireNonNull(set.module(), "module");
            for (final ConfigKey<?> key : Objects.requireNonNull(set.keys(), "keys")) {
                Objects.requireNonNull(key, () -> set.title() + " declares a null key (a constant used before it "
                        + "is initialised?)");
                if (!key.name().startsWith(NAMESPACE)) {
                    throw new IllegalStateException(key.name() + " (declared by " + describe(set) + ") is not a "
                            + NAMESPACE + "* key; other keys belong to Kafka");
                }
                // Families are the same when their names differ only in the placeholders' names.
                final String identity = key.kind() == ConfigKey.Kind.KEY ? key.name()
                        : key.name().replaceAll("<[^>]*>", "<>");
                final ConfigKeySet earlier = declaredBy.putIfAbsent(identity, set);
                if (earlier != null) {
                    throw new IllegalStateException(key.name() + " is declared twice: by " + describe(earlier)
                            + " and by " + describe(set) + "; declare each key once");
                }
                if (key.kind() == ConfigKey.Kind.KEY) {
                    keys.put(key.name(), key);
                } else {
                    families.add(key);
                }
            }
        }
    }

    /** The sets registered through {@link ServiceLoader} on this class's class loader. */
    public static ConfigRegistry load() {
        return load(ConfigRegistry.class.getClassLoader());
    }

    /** The sets registered through {@link ServiceLoader} on {@code loader}. */
    public static ConfigRegistry load(final ClassLoader loader) {
        final List<ConfigKeySet> found = new ArrayList<>();
        ServiceLoader.load(ConfigKeySet.class, loader).forEach(found::add);
        return new ConfigRegistry(found);
    }

    /**
     * A registry of exactly {@code sets}.
     *
     * @throws IllegalStateException if a key is declared twice, or is not a {@code sealstream.*} key
     */
    public static ConfigRegistry of(final ConfigKeySet... sets) {
        return new ConfigRegistry(List.of(sets));
    }

    /** As {@link #of(ConfigKeySet...)}. */
    public static ConfigRegistry of(final Collection<? extends ConfigKeySet> sets) {
        return new ConfigRegistry(sets);
    }

    /** The sets, in the order of the reference page. */
    public List<ConfigKeySet> sets() {
        return sets;
    }

    /** Every declaration, keys and families, in the order of the reference page. */
    public List<ConfigKey<?>> keys() {
        return sets.stream().flatMap(s -> s.keys().stream()).toList();
    }

    /**
     * The declaration of {@code key}: the key of that name, else the family it belongs to (the most specific, if
     * several match: the one with the most fixed characters).
     */
    public Optional<ConfigKey<?>> find(final String key) {
        final ConfigKey<?> exact = keys.get(key);
        if (exact != null) {
            return Optional.of(exact);
        }
        return families.stream().filter(f -> f.matches(key))
                .max(Comparator.comparingInt(f -> f.name().replaceAll("<[^>]*>", "").length()));
    }

    /** Whether {@code key} is declared, by name or as a member of a family. */
    public boolean isDeclared(final String key) {
        return find(key).isPresent();
    }

    /** The declaration that owns {@code key}'s set, for messages. */
    public Optional<ConfigKeySet> setOf(final String key) {
        return find(key).flatMap(k -> sets.stream().filter(s -> s.keys().contains(k)).findFirst());
    }

    /**
     * The declared name nearest to {@code key} by edit distance (a family's placeholders match any text), if it is
     * near enough to be a likely typo.
     */
    public Optional<String> suggestion(final String key) {
        final int limit = Math.max(3, key.length() / 6);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        final List<String> candidates = new ArrayList<>(keys.keySet());
        families.forEach(f -> candidates.add(f.name()));
        candidates.sort(Comparator.naturalOrder());
        for (final String candidate : candidates) {
            final int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= limit ? Optional.ofNullable(best) : Optional.empty();
    }

    /**
     * Everything wrong with {@code config}'s {@code sealstream.*} settings, one line each, sorted by key: keys that
     * are not declared (with a suggestion), values that do not parse or break a bound, required keys that are
     * missing. No line shows the value of a secret setting, and unknown keys' values are never shown.
     */
    public List<String> problems(final Map<String, ?> config) {
        final Map<String, String> problems = new TreeMap<>();
        for (final Map.Entry<String, ?> e : new TreeMap<String, Object>(config).entrySet()) {
            final String key = e.getKey();
            if (!key.startsWith(NAMESPACE)) {
                continue;
            }
            final Optional<ConfigKey<?>> declared = find(key);
            if (declared.isEmpty()) {
                problems.put(key, ConfigKey.oneLine(key) + ": unknown setting" + suggestion(key)
                        .map(s -> "; did you mean " + s + "?").orElse(" (docs/CONFIGURATION.md lists every setting)"));
                continue;
            }
            final ConfigKey<?> k = declared.get();
            final Object value = e.getValue();
            if (value == null || value.toString().isBlank()) {
                if (k.kind() == ConfigKey.Kind.FAMILY) {
                    problems.put(key, key + ": no value");
                }
                continue;
            }
            try {
                k.parse(key, value);
            } catch (final IllegalArgumentException ex) {
                problems.put(key, ConfigKey.oneLine(String.valueOf(ex.getMessage())));
            }
        }
        for (final ConfigKey<?> k : keys.values()) {
            final Object value = config.get(k.name());
            if (k.isRequired() && (value == null || value.toString().isBlank())) {
                problems.put(k.name(), k.name() + ": required, not set");
            }
        }
        return List.copyOf(problems.values());
    }

    /**
     * Checks {@code config} against the declarations.
     *
     * @throws ConfigValidationException listing every problem ({@link #problems}), one line each
     */
    public void validate(final Map<String, ?> config) {
        final List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems);
        }
    }

    /** The reference page, {@code docs/CONFIGURATION.md}: the grammar, then one table per set. */
    public String renderMarkdown() {
        final StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("<!-- Generated from the ConfigKeySet declarations (io.sealstream.config.ConfigRegistry#renderMarkdown). "
                + "Do not edit: change the declarations, then run the app module's ConfigurationReferenceTest with "
                + "-Dsealstream.docs.update=true. -->\n\n");
        md.append("""
                sealstream reads one properties file (`sealstream run --config FILE`) in which Kafka Streams and Kafka \
                client settings, the schema registry serde's settings and sealstream's own `sealstream.*` settings \
                stand side by side. Keys that do not start with `sealstream.` are passed on to Kafka Streams and its \
                clients as they are. Every `sealstream.*` key is declared once, in the module that reads it, with its \
                type, default and meaning; this page lists them all.

                ## Values

                One grammar for every setting:

                | Type | Written as |
                |---|---|
                | size | bytes as a plain number (`5242880`), or a number with a binary unit `k`, `m`, `g` or `t`, \
                optionally followed by `b` or `ib`, in any case: `8m`, `8MB` and `8MiB` all mean 8 × 2^20 bytes, \
                `1GB` is 2^30 bytes, `16MiB` is 16 × 2^20 bytes (buffer sizes, as for JVM options) |
                | duration | milliseconds as a plain number (`500`), a number with `ms`, `s`, `m`, `h` or `d` \
                (`500ms`, `5s`, `1m`, `7d`), or ISO-8601 (`PT5S`, `P7D`) |
                | boolean | `true` or `false`, in any case; anything else (`yes`, `1`, `on`) is an error |
                | integer | a whole number, within the bounds the type column gives |
                | one of | one of the values listed, in any case, with `-` and `_` taken as the same |
                | list | items separated by commas; blanks around them are ignored |
                | path | a file system path, relative to the working directory unless absolute |
                | URL | an absolute `http://` or `https://` URL |
                | topic name | a legal Kafka topic name: letters, digits, `.`, `_` and `-`, at most 249 characters |

                - A blank value is the same as no value: the default applies.
                - A key with a `<placeholder>` stands for a family of keys: `sealstream.keys.tenant.<tenant>` is \
                `sealstream.keys.tenant.acme`, `sealstream.keys.tenant.globex`, and so on.
                - The values of secret settings are never shown, in messages or in logs. Passphrases, PINs and tokens \
                are not settings at all: they come from the environment (see each KMS provider's page in `docs/kms/`).

                ## Environment

                Any key can be set in the environment as `SEALSTREAM_CONFIG_<KEY>`: the key in upper case, with `.` \
                written `_` and `-` written `__`. `SEALSTREAM_CONFIG_SEALSTREAM_RETRY_MAX__BLOCK=30s` sets \
                `sealstream.retry.max-block`, `SEALSTREAM_CONFIG_NUM_STREAM_THREADS=4` sets `num.stream.threads`. The \
                environment wins over the file. The local stack's variables are read as well: `S3_ENDPOINT` sets \
                `sealstream.store.s3.endpoint` (and `sealstream.store.type=s3`), `S3_ACCESS_KEY` and `S3_SECRET_KEY` \
                the S3 credentials, `S3_BUCKET` `sealstream.store.bucket`, `KAFKA_BOOTSTRAP_SERVERS` and \
                `SCHEMA_REGISTRY_URL` `bootstrap.servers` and `schema.registry.url`.

                ## Validation

                `ConfigRegistry.validate` checks a configuration against these declarations and reports every problem \
                at once, one line each: a `sealstream.*` key that is not declared, with the nearest declared key as a \
                suggestion (`sealstream.retry.max-blok: unknown setting; did you mean sealstream.retry.max-block?`), \
                a value that does not parse or is out of bounds, a required key that is missing.

                """);
        md.append("## Settings\n\n");
        for (final ConfigKeySet set : sets) {
            md.append("- [").append(set.title()).append("](#").append(anchor(set.title())).append(") (`")
                    .append(set.module()).append("`): ").append(set.keys().size())
                    .append(set.keys().size() == 1 ? " entry" : " entries").append('\n');
        }
        for (final ConfigKeySet set : sets) {
            md.append("\n### ").append(set.title()).append("\n\n");
            md.append("Read by `").append(set.module()).append("`.");
            if (!set.description().isBlank()) {
                md.append(' ').append(ConfigKey.oneLine(set.description().trim()));
            }
            md.append("\n\n| Key | Type | Default | Description |\n|---|---|---|---|\n");
            for (final ConfigKey<?> key : set.keys()) {
                final List<String> type = new ArrayList<>();
                type.add(key.type());
                if (key.isSecret()) {
                    type.add("secret");
                }
                type.addAll(key.requirements());
                md.append("| `").append(cell(key.name())).append("` | ").append(cell(String.join(", ", type)))
                        .append(" | ").append(cell(key.defaultDescription())).append(" | ").append(cell(key.doc()))
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    private static String cell(final String text) {
        return ConfigKey.oneLine(text).replace("|", "\\|");
    }

    /** GitHub's heading anchor: lower case, punctuation dropped, spaces as dashes. */
    static String anchor(final String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    private static String describe(final ConfigKeySet set) {
        return set.title() + " (" + set.module() + ", " + set.getClass().getName() + ")";
    }

    /**
     * Edit distance (insertions, deletions, substitutions) from {@code key} to {@code name}, where each
     * {@code <placeholder>} of {@code name} matches one or more characters of any kind at no cost.
     */
    static int distance(final String key, final String name) {
        final List<Integer> tokens = new ArrayList<>();
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final int close = c == '<' ? name.indexOf('>', i) : -1;
            if (close > i) {
                tokens.add(WILDCARD);
                i = close;
            } else {
                tokens.add((int) c);
            }
        }
        final int n = key.length();
        final int m = tokens.size();
        final int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 1; j <= m; j++) {
            d[0][j] = d[0][j - 1] + 1;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                final int t = tokens.get(j - 1);
                if (t == WILDCARD) {
                    // the placeholder takes key[i-1] as its first character, or as one more; or matches nothing (1)
                    d[i][j] = Math.min(Math.min(d[i - 1][j - 1], d[i - 1][j]), d[i][j - 1] + 1);
                } else {
                    final int substitute = d[i - 1][j - 1] + (key.charAt(i - 1) == t ? 0 : 1);
                    d[i][j] = Math.min(substitute, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                }
            }
        }
        return d[n][m];
    }
}
