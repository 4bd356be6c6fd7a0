package io.sealstream.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * An in-memory schema registry with the REST registry's semantics, behind {@code schema.registry.url=mock://scope}:
 * one instance per scope name in the JVM ({@link #forScope}), until {@link #dropScope}.
 *
 * <ul>
 * <li>The same schema (same JSON text) gets the same id under every subject; ids are global and start at 1;
 * versions count per subject from 1. Registering a schema the subject already has returns its id.</li>
 * <li>Compatibility levels as Confluent's, checked with Avro's {@code SchemaCompatibility}; default BACKWARD.
 * Violations raise {@link IncompatibleSchemaException} (HTTP 409 semantics).</li>
 * <li>Unknown ids, subjects and schemas raise {@link SchemaNotFoundException} with Confluent's error codes.</li>
 * </ul>
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    private static final ConcurrentMap<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String name;
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();
    private final Map<String, String> subjectLevels = new HashMap<>();
    private String globalLevel = CompatibilityLevels.DEFAULT;
    private int nextId = 1;

    /** A private registry, not shared through a scope. */
    public MockSchemaRegistry() {
        this.name = "mock registry";
    }

    private MockSchemaRegistry(final String scope) {
        this.name = "mock://" + scope;
    }

    /** The registry of {@code mock://scope}, created on first use. */
    public static MockSchemaRegistry forScope(final String scope) {
        return SCOPES.computeIfAbsent(requireScope(scope), MockSchemaRegistry::new);
    }

    /** Forgets the scope; the next {@link #forScope} with that name starts empty. */
    public static void dropScope(final String scope) {
        SCOPES.remove(requireScope(scope));
    }

    @Override
    public synchronized int register(final String subject, final Schema schema) {
        requireSubject(subject);
        final String text = Objects.requireNonNull(schema, "schema").toString();
        final List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
        for (final RegisteredSchema version : versions) {
            if (version.schema().toString().equals(text)) {
                return version.id();
            }
        }
        final String level = level(subject);
        final Optional<String> violation = CompatibilityLevels.violation(level, schema, schemasOf(versions));
        if (violation.isPresent()) {
            throw new IncompatibleSchemaException(name + ": schema " + SerdeText.name(schema) + " is incompatible with subject '"
                    + subject + "' version " + versions.size() + ": " + violation.get(), 409, 409, null);
        }
        final int id = idsByText.computeIfAbsent(text, t -> nextId++);
        schemasById.putIfAbsent(id, schema);
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(new RegisteredSchema(id, versions.size() + 1, subject, schema));
        return id;
    }

    @Override
    public synchronized int getId(final String subject, final Schema schema) {
        final List<RegisteredSchema> versions = versions(subject);
        final String text = Objects.requireNonNull(schema, "schema").toString();
        for (final RegisteredSchema version : versions) {
            if (version.schema().toString().equals(text)) {
                return version.id();
            }
        }
        throw new SchemaNotFoundException(name + ": schema " + SerdeText.name(schema) + " is not registered under subject '"
                + subject + "' (error_code 40403)", 404, SchemaNotFoundException.SCHEMA_NOT_FOUND, null);
    }

    @Override
    public synchronized Schema getById(final int id) {
        final Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException(name + ": no schema with id " + id + " (error_code 40403)", 404,
                    SchemaNotFoundException.SCHEMA_NOT_FOUND, null);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema getLatest(final String subject) {
        final List<RegisteredSchema> versions = versions(subject);
        return versions.get(versions.size() - 1);
    }

    @Override
    public synchronized boolean isCompatible(final String subject, final Schema schema) {
        requireSubject(subject);
        Objects.requireNonNull(schema, "schema");
        return CompatibilityLevels.violation(level(subject), schema, schemasOf(subjects.getOrDefault(subject, List.of()))).isEmpty();
    }

    @Override
    public synchronized void setCompatibility(final String subject, final String level) {
        final String normalized = CompatibilityLevels.requireValid(level);
        if (subject == null) {
            globalLevel = normalized;
        } else {
            subjectLevels.put(requireSubject(subject), normalized);
        }
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** Does nothing: a scoped registry lives until {@link #dropScope}. */
    @Override
    public void close() {
        // the scope keeps its content
    }

    @Override
    public String toString() {
        return "MockSchemaRegistry[" + name + "]";
    }

    private String level(final String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private List<RegisteredSchema> versions(final String subject) {
        final List<RegisteredSchema> versions = subjects.get(requireSubject(subject));
        if (versions == null) {
            throw new SchemaNotFoundException(name + ": subject '" + subject + "' not found (error_code 40401)", 404,
                    SchemaNotFoundException.SUBJECT_NOT_FOUND, null);
        }
        return versions;
    }

    private static List<Schema> schemasOf(final List<RegisteredSchema> versions) {
        return versions.stream().map(RegisteredSchema::schema).toList();
    }

    private static String requireSubject(final String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    private static String requireScope(final String scope) {
        if (scope == null || scope.isBlank()) {
            throw new IllegalArgumentException("mock scope must not be empty");
        }
        return scope;
    }
}
