package io.sealstream.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaRegistryClient} over the Confluent Schema Registry REST API ({@code java.net.http} + Jackson),
 * which Confluent, Apicurio ({@code /apis/ccompat/v7}) and Karapace serve.
 *
 * <ul>
 * <li>Base URLs are tried in turn; the last one that answered is tried first next time.</li>
 * <li>Network errors, timeouts and HTTP 5xx / 408 / 429 are retried over all URLs with exponential backoff and
 * jitter, at most {@code 1 + schema.registry.retries} rounds, then {@link SchemaRegistryUnavailableException}.
 * Every call is idempotent (registering the same schema again returns the same id).</li>
 * <li>Other 4xx answers fail at once with a one-line message carrying the HTTP status and Confluent's
 * {@code error_code} and message: 404 → {@link SchemaNotFoundException}, 409 → {@link IncompatibleSchemaException},
 * others (401, 403, 422, ...) → {@link SchemaRegistryException}. Messages never contain credentials.</li>
 * <li>Bounded LRU caches: id → schema and (subject, schema) → id, so a serde calls the registry once per schema.</li>
 * </ul>
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

    private record SubjectSchema(String subject, Schema schema) {
    }

    private record Answer(int status, JsonNode body) {
    }

    private final List<String> baseUrls;
    private final HttpClient http;
    private final String authorization;
    private final String password;
    private final Duration requestTimeout;
    private final int attempts;
    private final Duration backoff;
    private final Duration backoffMax;
    private final BoundedCache<Integer, Schema> schemasById;
    private final BoundedCache<SubjectSchema, Integer> idsBySubjectSchema;
    private final AtomicInteger preferredUrl = new AtomicInteger();
    private volatile boolean closed;
    /** Told of each HTTP attempt, so outages reach the log as they start (see {@link #reportTo}). */
    private volatile io.sealstream.health.DependencyHealth health;

    /** A client for the configured http(s) URLs. */
    public RestSchemaRegistryClient(final SchemaRegistrySerdeConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.mockScope().isPresent()) {
            throw new IllegalArgumentException("RestSchemaRegistryClient needs http(s) URLs, not mock://; use SchemaRegistryClients.create");
        }
        this.baseUrls = config.urls();
        final HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.sslContext() != null) {
            http.sslContext(config.sslContext()); // schema.registry.ssl.*: a private CA, mutual TLS
        }
        this.http = http.build();
        this.authorization = config.basicAuth() != null ? config.basicAuth().header()
                : config.bearerAuth() != null ? config.bearerAuth().header() : null;
        this.password = config.basicAuth() != null ? config.basicAuth().password()
                : config.bearerAuth() != null ? config.bearerAuth().token() : null;
        this.requestTimeout = config.requestTimeout();
        this.attempts = config.retries() + 1;
        this.backoff = config.retryBackoff();
        this.backoffMax = config.retryBackoffMax();
        this.schemasById = new BoundedCache<>(config.cacheCapacity());
        this.idsBySubjectSchema = new BoundedCache<>(config.cacheCapacity());
    }

    /** A client for {@code new SchemaRegistrySerdeConfig(configs)}. */
    public RestSchemaRegistryClient(final Map<String, ?> configs) {
        this(new SchemaRegistrySerdeConfig(configs));
    }

    @Override
    public int register(final String subject, final Schema schema) {
        final SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        final Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        final JsonNode body;
        try {
            body = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema)).body();
        } catch (final IncompatibleSchemaException conflict) {
            // Two writers registering a subject's first schema at once: Apicurio answers the loser with 409
            // "artifact already exists". If the winner registered this very schema, its id is ours too.
            try {
                return getId(subject, schema);
            } catch (final SchemaRegistryException notThisSchema) {
                if (notThisSchema.isTransient()) {
                    throw notThisSchema;
                }
                throw conflict;
            }
        }
        final int id = requiredInt(body, "id", "POST /subjects/{subject}/versions");
        idsBySubjectSchema.put(key, id);
        schemasById.put(id, schema);
        return id;
    }

    @Override
    public int getId(final String subject, final Schema schema) {
        final SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        final Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        final JsonNode body = call("POST", "/subjects/" + encode(subject), schemaBody(schema)).body();
        final int id = requiredInt(body, "id", "POST /subjects/{subject}");
        idsBySubjectSchema.put(key, id);
        schemasById.put(id, schema);
        return id;
    }

    @Override
    public Schema getById(final int id) {
        final Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        final JsonNode body = call("GET", "/schemas/ids/" + id, null).body();
        final Schema schema = parseSchema(body, "schema id " + id);
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema getLatest(final String subject) {
        final JsonNode body = call("GET", "/subjects/" + encode(requireSubject(subject)) + "/versions/latest", null).body();
        final String what = "latest version of subject '" + subject + "'";
        final int id = requiredInt(body, "id", what);
        final Schema schema = parseSchema(body, what);
        schemasById.put(id, schema);
        return new RegisteredSchema(id, requiredInt(body, "version", what), subject, schema);
    }

    @Override
    public boolean isCompatible(final String subject, final Schema schema) {
        Objects.requireNonNull(schema, "schema");
        final JsonNode body;
        try {
            body = call("POST", "/compatibility/subjects/" + encode(requireSubject(subject)) + "/versions/latest", schemaBody(schema)).body();
        } catch (final SchemaNotFoundException e) {
            if (e.errorCode() == SchemaNotFoundException.SUBJECT_NOT_FOUND || e.errorCode() == SchemaNotFoundException.VERSION_NOT_FOUND) {
                return true; // nothing to be incompatible with
            }
            throw e;
        }
        final JsonNode value = body.get("is_compatible");
        if (value == null || !value.isBoolean()) {
            throw unexpected("compatibility check of subject '" + subject + "'", "no boolean is_compatible");
        }
        return value.booleanValue();
    }

    @Override
    public void setCompatibility(final String subject, final String level) {
        final String normalized = CompatibilityLevels.requireValid(level);
        final ObjectNode body = JSON.createObjectNode().put("compatibility", normalized);
        call("PUT", subject == null ? "/config" : "/config/" + encode(requireSubject(subject)), body.toString());
    }

    @Override
    public List<String> subjects() {
        final JsonNode body = call("GET", "/subjects", null).body();
        if (!body.isArray()) {
            throw unexpected("GET /subjects", "not a JSON array");
        }
        final List<String> out = new ArrayList<>();
        body.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    /** Clears the caches; later calls fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        schemasById.clear();
        idsBySubjectSchema.clear();
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + baseUrls;
    }

    /** Reports every HTTP attempt from now on: a network error or 5xx/408/429 fails it, any other answer succeeds. */
    public void reportTo(final io.sealstream.health.DependencyHealth dependency) {
        this.health = dependency;
    }

    // ------------------------------------------------------------------------------------------------- HTTP

    private Answer call(final String method, final String path, final String body) {
        if (closed) {
            throw new IllegalStateException("The schema registry client is closed");
        }
        String lastFailure = null;
        int lastStatus = SchemaRegistryException.NONE;
        int lastErrorCode = SchemaRegistryException.NONE;
        Throwable lastCause = null;
        for (int attempt = 1; ; attempt++) {
            final int first = preferredUrl.get();
            for (int i = 0; i < baseUrls.size(); i++) {
                final int index = (first + i) % baseUrls.size();
                final String base = baseUrls.get(index);
                final HttpResponse<String> response;
                final io.sealstream.health.DependencyHealth.Call watched = health == null ? null : health.begin();
                try {
                    response = http.send(request(base, method, path, body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    if (watched != null) {
                        final int s = response.statusCode();
                        if (s >= 500 || s == 408 || s == 429) {
                            watched.failed(where(base, method, path) + ": HTTP " + s);
                        } else {
                            watched.succeeded();
                        }
                    }
                } catch (final IOException e) {
                    if (watched != null) {
                        watched.failed(where(base, method, path) + ": " + networkProblem(e));
                    }
                    lastFailure = where(base, method, path) + ": " + networkProblem(e);
                    lastStatus = SchemaRegistryException.NONE;
                    lastErrorCode = SchemaRegistryException.NONE;
                    lastCause = e;
                    continue;
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryUnavailableException(where(base, method, path) + ": interrupted",
                            SchemaRegistryException.NONE, SchemaRegistryException.NONE, e);
                } finally {
                    if (watched != null) {
                        watched.close();
                    }
                }
                final int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    preferredUrl.set(index);
                    return new Answer(status, parseJson(response.body(), method + " " + path));
                }
                final ErrorBody error = ErrorBody.parse(response.body());
                final String message = scrub(where(base, method, path) + ": HTTP " + status
                        + (error.code() != SchemaRegistryException.NONE ? " error_code " + error.code() : "")
                        + (error.message().isEmpty() ? "" : ": " + error.message()));
                if (status >= 500 || status == 408 || status == 429) {
                    lastFailure = message;
                    lastStatus = status;
                    lastErrorCode = error.code();
                    lastCause = null;
                    continue;
                }
                preferredUrl.set(index);
                throw clientError(status, error.code(), message);
            }
            if (attempt >= attempts) {
                throw new SchemaRegistryUnavailableException("Schema registry unavailable after " + attempt
                        + (attempt == 1 ? " attempt" : " attempts") + (baseUrls.size() > 1 ? " on " + baseUrls.size() + " URLs" : "")
                        + "; last: " + lastFailure, lastStatus, lastErrorCode, lastCause);
            }
            final long delay = delayMillis(attempt);
            // With a health watcher the outage is told once, then reminded; without one, every retry is.
            if (health == null) {
                LOG.warn("{} (attempt {} of {}); retrying in {} ms", lastFailure, attempt, attempts, delay);
            } else {
                LOG.debug("{} (attempt {} of {}); retrying in {} ms", lastFailure, attempt, attempts, delay);
            }
            try {
                Thread.sleep(delay);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted while retrying; last: " + lastFailure,
                        lastStatus, lastErrorCode, e);
            }
        }
    }

    private HttpRequest request(final String base, final String method, final String path, final String body) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .header("User-Agent", "sealstream-schema-registry-client");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private long delayMillis(final int attempt) {
        return io.sealstream.config.Backoff.exponential(backoff, backoffMax).delay(attempt).toMillis();
    }

    /** The pause after failed round {@code attempt} (1-based), with {@code jitter} in [0, 1]: {@link io.sealstream.config.Backoff}. */
    static long backoffMillis(final int attempt, final long base, final long max, final double jitter) {
        return io.sealstream.config.Backoff.exponential(java.time.Duration.ofMillis(base), java.time.Duration.ofMillis(max))
                .delay(attempt, jitter).toMillis();
    }

    private static SchemaRegistryException clientError(final int status, final int errorCode, final String message) {
        if (status == 404) {
            return new SchemaNotFoundException(message, status, errorCode, null);
        }
        if (status == 409) {
            return new IncompatibleSchemaException(message, status, errorCode, null);
        }
        if (status == 401 || status == 403) {
            return new SchemaRegistryException(message + " (check basic.auth.user.info)", status, errorCode, null);
        }
        return new SchemaRegistryException(message, status, errorCode, null);
    }

    private static String networkProblem(final IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "request timed out";
        }
        if (e instanceof ConnectException) {
            return "connection refused or unreachable (" + SerdeText.describe(e) + ")";
        }
        return SerdeText.describe(e);
    }

    private static String where(final String base, final String method, final String path) {
        return "Schema registry " + base + " " + method + " " + path;
    }

    /** Removes the password from server-provided text, in case a registry echoes it back. */
    private String scrub(final String message) {
        final String oneLine = SerdeText.oneLine(message);
        return password == null || password.isEmpty() ? oneLine : oneLine.replace(password, "***");
    }

    private record ErrorBody(int code, String message) {
        static ErrorBody parse(final String body) {
            if (body == null || body.isBlank()) {
                return new ErrorBody(SchemaRegistryException.NONE, "");
            }
            try {
                final JsonNode node = JSON.readTree(body);
                if (node != null && node.isObject()) {
                    final JsonNode code = node.get("error_code");
                    final JsonNode message = node.get("message");
                    return new ErrorBody(code != null && code.canConvertToInt() ? code.intValue() : SchemaRegistryException.NONE,
                            message != null && !message.isNull() ? SerdeText.oneLine(message.asText()) : "");
                }
            } catch (final JsonProcessingException e) {
                // not JSON: use the text
            }
            return new ErrorBody(SchemaRegistryException.NONE, SerdeText.oneLine(body));
        }
    }

    // ------------------------------------------------------------------------------------------------- JSON

    private static String schemaBody(final Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static JsonNode parseJson(final String body, final String what) {
        try {
            final JsonNode node = JSON.readTree(body == null ? "" : body);
            if (node == null || node.isMissingNode()) {
                throw unexpected(what, "empty body");
            }
            return node;
        } catch (final JsonProcessingException e) {
            throw unexpected(what, "not JSON");
        }
    }

    private static int requiredInt(final JsonNode body, final String field, final String what) {
        final JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw unexpected(what, "no integer '" + field + "'");
        }
        return value.intValue();
    }

    private static Schema parseSchema(final JsonNode body, final String what) {
        final JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new SchemaRegistryException("The registry's " + what + " is a " + type.asText() + " schema, not Avro");
        }
        final JsonNode references = body.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new SchemaRegistryException("The registry's " + what + " uses schema references, which are not supported");
        }
        final JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw unexpected(what, "no 'schema' text");
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (final SchemaParseException e) {
            throw new SchemaRegistryException("The registry's " + what + " is not a valid Avro schema: " + SerdeText.describe(e), e);
        }
    }

    private static SchemaRegistryException unexpected(final String what, final String problem) {
        return new SchemaRegistryException("Unexpected schema registry answer for " + what + ": " + problem);
    }

    private static String requireSubject(final String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    private static String encode(final String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
