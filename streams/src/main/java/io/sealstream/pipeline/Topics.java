package io.sealstream.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The pipeline's topics. Defaults: {@code sealstream.uploads} in; {@code sealstream.objects},
 * {@code sealstream.audit}, {@code sealstream.rotation} and {@code sealstream.dlq} out.
 */
public record Topics(String uploads, String objects, String audit, String rotation, String deadLetters) {

    public static final String UPLOADS = "sealstream.uploads";
    public static final String OBJECTS = "sealstream.objects";
    public static final String AUDIT = "sealstream.audit";
    public static final String ROTATION = "sealstream.rotation";
    public static final String DEAD_LETTERS = "sealstream.dlq";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        for (String t : new String[] {uploads, objects, audit, rotation, deadLetters}) {
            Objects.requireNonNull(t, "topic");
            if (!LEGAL.matcher(t).matches() || t.equals(".") || t.equals("..")) {
                throw new IllegalArgumentException("not a legal Kafka topic name: '" + t + "'");
            }
        }
        if (List.of(uploads, objects, audit, rotation, deadLetters).stream().distinct().count() != 5) {
            throw new IllegalArgumentException("the five sealstream topics must be distinct");
        }
    }

    public static Topics defaults() {
        return new Topics(UPLOADS, OBJECTS, AUDIT, ROTATION, DEAD_LETTERS);
    }

    /** Reads {@code sealstream.topic.uploads|objects|audit|rotation|dlq}, defaulting each. */
    public static Topics fromConfig(final Map<String, ?> config) {
        return new Topics(get(config, "uploads", UPLOADS), get(config, "objects", OBJECTS), get(config, "audit", AUDIT),
                get(config, "rotation", ROTATION), get(config, "dlq", DEAD_LETTERS));
    }

    private static String get(final Map<String, ?> config, final String name, final String fallback) {
        final Object v = config.get("sealstream.topic." + name);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    public List<String> all() {
        return List.of(uploads, objects, audit, rotation, deadLetters);
    }
}
