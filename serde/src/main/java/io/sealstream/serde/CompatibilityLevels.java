package io.sealstream.serde;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Confluent's compatibility levels, checked with Avro's {@link SchemaCompatibility}. */
final class CompatibilityLevels {

    static final String DEFAULT = "BACKWARD";

    static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private CompatibilityLevels() {
    }

    /** The level in upper case. */
    static String requireValid(final String level) {
        final String normalized = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(normalized)) {
            throw new IllegalArgumentException("Unknown compatibility level '" + level + "'; expected one of "
                    + List.copyOf(new java.util.TreeSet<>(LEVELS)));
        }
        return normalized;
    }

    /**
     * Why the candidate may not follow the existing versions (oldest first) under the level, or empty if it may.
     */
    static Optional<String> violation(final String level, final Schema candidate, final List<Schema> existing) {
        if (existing.isEmpty() || "NONE".equals(level)) {
            return Optional.empty();
        }
        final List<Schema> against = level.endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
        final boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        final boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        for (final Schema old : against) {
            if (backward) {
                final Optional<String> why = readProblem(candidate, old);
                if (why.isPresent()) {
                    return Optional.of("new schema cannot read data written with an existing version (" + level + "): " + why.get());
                }
            }
            if (forward) {
                final Optional<String> why = readProblem(old, candidate);
                if (why.isPresent()) {
                    return Optional.of("an existing version cannot read data written with the new schema (" + level + "): " + why.get());
                }
            }
        }
        return Optional.empty();
    }

    /** Why {@code reader} cannot read data written with {@code writer}, or empty if it can. */
    static Optional<String> readProblem(final Schema reader, final Schema writer) {
        final SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return Optional.empty();
        }
        final List<Incompatibility> problems = result.getResult().getIncompatibilities();
        if (problems.isEmpty()) {
            return Optional.of(SerdeText.oneLine(result.getDescription()));
        }
        final Incompatibility first = problems.get(0);
        final String field = fieldPath(reader, first.getLocation());
        final String message = first.getType() == SchemaCompatibility.SchemaIncompatibilityType.NAME_MISMATCH
                ? "reader " + first.getReaderFragment().getFullName() + ", writer " + first.getWriterFragment().getFullName()
                : first.getMessage();
        return Optional.of(SerdeText.oneLine(first.getType() + " at " + (field.isEmpty() ? "" : field + " ") + first.getLocation()
                + ": " + message
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")));
    }

    /** The dotted field path ({@code payload.location}) of an Avro compatibility location ({@code /fields/8/type/1/fields/0}). */
    static String fieldPath(final Schema root, final String location) {
        final StringBuilder path = new StringBuilder();
        Schema schema = root;
        final String[] parts = location == null ? new String[0] : location.split("/");
        try {
            for (int i = 0; i < parts.length; i++) {
                final String part = parts[i];
                if (part.equals("fields") && i + 1 < parts.length && schema.getType() == Schema.Type.RECORD) {
                    final Schema.Field field = schema.getFields().get(Integer.parseInt(parts[++i]));
                    path.append(path.length() == 0 ? "" : ".").append(field.name());
                    schema = field.schema();
                } else if (part.equals("items") && schema.getType() == Schema.Type.ARRAY) {
                    schema = schema.getElementType();
                    path.append("[]");
                } else if (part.equals("values") && schema.getType() == Schema.Type.MAP) {
                    schema = schema.getValueType();
                    path.append("{}");
                } else if (part.matches("\\d+") && schema.getType() == Schema.Type.UNION) {
                    schema = schema.getTypes().get(Integer.parseInt(part));
                }
            }
        } catch (final RuntimeException e) {
            return ""; // a location we cannot follow: the raw location is reported anyway
        }
        return path.length() == 0 ? "" : "field " + path;
    }
}
