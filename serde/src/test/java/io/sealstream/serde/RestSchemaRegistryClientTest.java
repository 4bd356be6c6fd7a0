package io.sealstream.serde;

import static io.sealstream.serde.TestEvents.WIDGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sealstream.serde.FakeRegistryServer.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST client against a scripted in-JVM HTTP server: what a real registry will not do on demand. */
class RestSchemaRegistryClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WIDGET_JSON = WIDGET.toString();

    private FakeRegistryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private FakeRegistryServer serve(final java.util.function.Function<FakeRegistryServer.Request, Reply> handler) throws Exception {
        server = new FakeRegistryServer(handler);
        return server;
    }

    private static RestSchemaRegistryClient client(final String url, final Object... keyValues) {
        final Map<String, Object> configs = new HashMap<>();
        configs.put("schema.registry.url", url);
        configs.put("schema.registry.retry.backoff.ms", 1);
        configs.put("schema.registry.retry.backoff.max.ms", 5);
        for (int i = 0; i < keyValues.length; i += 2) {
            configs.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new RestSchemaRegistryClient(configs);
    }

    private static String schemaReply(final String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void registerPostsConfluentsBodyAndMediaType() throws Exception {
        serve(r -> Reply.json(200, "{\"id\":21}"));
        try (RestSchemaRegistryClient client = client(server.url())) {
            assertThat(client.register("uploads value/x", WIDGET)).isEqualTo(21);
        }
        final FakeRegistryServer.Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/subjects/uploads%20value%2Fx/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(JSON.readTree(request.body()).properties()).hasSize(1); // {"schema": ...}, no schemaType
        assertThat(JSON.readTree(request.body()).get("schema").asText()).isEqualTo(WIDGET_JSON);
        assertThat(request.authorization()).isNull();
    }

    @Test
    void aBasePathIsKeptAndEveryEndpointIsUsedAsConfluentDefinesIt() throws Exception {
        serve(r -> switch (r.method() + " " + r.rawPath()) {
            case "GET /apis/ccompat/v7/subjects" -> Reply.json(200, "[\"a-value\",\"b-value\"]");
            case "GET /apis/ccompat/v7/subjects/a-value/versions/latest" ->
                    Reply.json(200, "{\"id\":3,\"version\":2,\"subject\":\"a-value\",\"schema\":" + JSON.valueToTree(WIDGET_JSON) + "}");
            case "POST /apis/ccompat/v7/subjects/a-value" -> Reply.json(200, "{\"id\":3,\"version\":2,\"subject\":\"a-value\"}");
            case "POST /apis/ccompat/v7/compatibility/subjects/a-value/versions/latest" -> Reply.json(200, "{\"is_compatible\":false}");
            case "POST /apis/ccompat/v7/compatibility/subjects/new-value/versions/latest" -> Reply.error(404, 40401, "Subject 'new-value' not found.");
            case "PUT /apis/ccompat/v7/config", "PUT /apis/ccompat/v7/config/a-value" -> Reply.json(200, r.body());
            default -> Reply.error(404, 404, "no route " + r.rawPath());
        });
        try (RestSchemaRegistryClient client = client(server.url() + "/apis/ccompat/v7/")) {
            assertThat(client.subjects()).containsExactly("a-value", "b-value");
            assertThat(client.getLatest("a-value")).isEqualTo(new RegisteredSchema(3, 2, "a-value", WIDGET));
            assertThat(client.getId("a-value", WIDGET)).isEqualTo(3);
            assertThat(client.isCompatible("a-value", WIDGET)).isFalse();
            assertThat(client.isCompatible("new-value", WIDGET)).isTrue();
            client.setCompatibility(null, "backward");
            client.setCompatibility("a-value", "NONE");
            assertThatThrownBy(() -> client.setCompatibility(null, "LENIENT")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(server.requests()).filteredOn(r -> r.method().equals("PUT"))
                .extracting(FakeRegistryServer.Request::rawPath, FakeRegistryServer.Request::body)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/apis/ccompat/v7/config", "{\"compatibility\":\"BACKWARD\"}"),
                        org.assertj.core.groups.Tuple.tuple("/apis/ccompat/v7/config/a-value", "{\"compatibility\":\"NONE\"}"));
    }

    @Test
    void serverErrorsAreRetriedWithBackoffUntilTheRegistryAnswers() throws Exception {
        final AtomicInteger calls = new AtomicInteger();
        serve(r -> calls.incrementAndGet() <= 2 ? Reply.error(503, 50003, "warming up") : Reply.json(200, "{\"id\":5}"));
        try (RestSchemaRegistryClient client = client(server.url())) {
            assertThat(client.register("a-value", WIDGET)).isEqualTo(5);
        }
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void persistentServerErrorsGiveUpAfterTheConfiguredAttemptsAsTransient() throws Exception {
        serve(r -> Reply.error(500, 50001, "Error in the backend\\ndata store"));
        try (RestSchemaRegistryClient client = client(server.url(), "schema.registry.retries", 2)) {
            assertThatThrownBy(() -> client.getById(1))
                    .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class, e -> {
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.httpStatus()).isEqualTo(500);
                        assertThat(e.errorCode()).isEqualTo(50001);
                    })
                    .hasMessageContaining("3 attempts").hasMessageContaining("HTTP 500 error_code 50001: Error in the backend data store")
                    .hasMessageNotContaining("\n");
        }
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void backoffDoublesPerRoundUpToTheCapWithJitterInTheUpperHalf() {
        assertThat(RestSchemaRegistryClient.backoffMillis(1, 100, 2_000, 0.0)).isEqualTo(50);
        assertThat(RestSchemaRegistryClient.backoffMillis(1, 100, 2_000, 1.0)).isEqualTo(100);
        assertThat(RestSchemaRegistryClient.backoffMillis(2, 100, 2_000, 1.0)).isEqualTo(200);
        assertThat(RestSchemaRegistryClient.backoffMillis(4, 100, 2_000, 0.0)).isEqualTo(400);
        assertThat(RestSchemaRegistryClient.backoffMillis(4, 100, 2_000, 1.0)).isEqualTo(800);
        assertThat(RestSchemaRegistryClient.backoffMillis(6, 100, 2_000, 1.0)).isEqualTo(2_000);
        assertThat(RestSchemaRegistryClient.backoffMillis(60, 100, 2_000, 0.0)).isEqualTo(1_000);
        assertThat(RestSchemaRegistryClient.backoffMillis(3, 0, 0, 1.0)).isZero();
    }

    @Test
    void connectionRefusedIsUnavailableAfterBoundedAttemptsWithAOneLineMessage() throws Exception {
        final String url = "http://127.0.0.1:" + closedPort();
        final long start = System.nanoTime();
        try (RestSchemaRegistryClient client = client(url, "schema.registry.retries", 2)) {
            assertThatThrownBy(() -> client.register("a-value", WIDGET))
                    .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class, e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageStartingWith("Schema registry unavailable after 3 attempts")
                    .hasMessageContaining(url)
                    .hasMessageContaining("connection refused")
                    .hasMessageNotContaining("\n");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void urlsAreTriedInTurnAndTheOneThatAnsweredIsPreferred() throws Exception {
        serve(r -> r.rawPath().equals("/subjects") ? Reply.json(200, "[]") : Reply.json(200, schemaReply(WIDGET_JSON)));
        final String dead = "http://127.0.0.1:" + closedPort();
        try (RestSchemaRegistryClient client = client(dead + "," + server.url(), "schema.registry.retries", 0)) {
            assertThat(client.getById(1)).isEqualTo(WIDGET);
            assertThat(client.subjects()).isEmpty(); // goes straight to the live URL
        }
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void slowAnswersTimeOutAndAreRetried() throws Exception {
        serve(r -> new Reply(200, "{\"id\":1}", 2_000));
        try (RestSchemaRegistryClient client = client(server.url(), "schema.registry.request.timeout.ms", 150, "schema.registry.retries", 1)) {
            assertThatThrownBy(() -> client.register("a-value", WIDGET))
                    .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("timed out");
        }
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void clientErrorsFailAtOnceWithStatusErrorCodeAndMessage() throws Exception {
        serve(r -> switch (r.rawPath()) {
            case "/schemas/ids/404" -> Reply.error(404, 40403, "Schema 404 not found");
            case "/subjects/gone-value/versions/latest" -> Reply.error(404, 40401, "Subject 'gone-value' not found.");
            case "/subjects/strict-value/versions" -> Reply.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \\\"strict-value\\\"");
            case "/subjects/strict-value" -> Reply.error(404, 40403, "Schema not found");
            case "/subjects/bad-value/versions" -> Reply.error(422, 42201, "Invalid schema");
            default -> new Reply(400, "<html>\n<body>Bad Request</body>\n</html>", 0);
        });
        try (RestSchemaRegistryClient client = client(server.url())) {
            assertThatThrownBy(() -> client.getById(404))
                    .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40403))
                    .hasMessage("Schema registry " + server.url() + " GET /schemas/ids/404: HTTP 404 error_code 40403: Schema 404 not found");
            assertThatThrownBy(() -> client.getLatest("gone-value"))
                    .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
            assertThatThrownBy(() -> client.register("strict-value", WIDGET))
                    .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
                    .hasMessageContaining("error_code 409").hasMessageContaining("incompatible with an earlier schema");
            assertThatThrownBy(() -> client.register("bad-value", WIDGET))
                    .isExactlyInstanceOf(SchemaRegistryException.class)
                    .satisfies(e -> assertThat(((SchemaRegistryException) e).isTransient()).isFalse())
                    .hasMessageContaining("HTTP 422 error_code 42201: Invalid schema");
            assertThatThrownBy(client::subjects).isExactlyInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("HTTP 400: <html> <body>Bad Request</body> </html>");
        }
        // No retries for 4xx; the 409 on register is followed by one lookup (is it this very schema?).
        assertThat(server.requests()).hasSize(6);
    }

    @Test
    void aConcurrentFirstRegistrationThatLosesTheRaceUsesTheWinnersId() throws Exception {
        // Apicurio answers the loser of two simultaneous first registrations with 409 "already exists".
        serve(r -> switch (r.rawPath()) {
            case "/subjects/raced-value/versions" -> Reply.error(409, 409, "An artifact with ID 'raced-value' already exists.");
            case "/subjects/raced-value" -> Reply.json(200, "{\"subject\":\"raced-value\",\"version\":1,\"id\":7}");
            default -> Reply.error(404, 40401, "nope");
        });
        try (RestSchemaRegistryClient client = client(server.url())) {
            assertThat(client.register("raced-value", WIDGET)).isEqualTo(7);
            assertThat(client.register("raced-value", WIDGET)).isEqualTo(7);
        }
        assertThat(server.requests()).extracting(FakeRegistryServer.Request::rawPath)
                .containsExactly("/subjects/raced-value/versions", "/subjects/raced-value");
    }

    @Test
    void aStaticBearerTokenIsSentAsConfluentsClientsSendItAndNeverAppearsInMessages() throws Exception {
        serve(r -> Reply.error(401, 40101, "Unauthorized: token tok-3f9a expired"));
        try (RestSchemaRegistryClient client = client(server.url(), "bearer.auth.credentials.source", "STATIC_TOKEN",
                "bearer.auth.token", "tok-3f9a")) {
            assertThatThrownBy(() -> client.getById(1)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("HTTP 401").hasMessageNotContaining("tok-3f9a");
        }
        assertThat(server.requests()).singleElement()
                .satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer tok-3f9a"));
        assertThatThrownBy(() -> new SchemaRegistrySerdeConfig(Map.of("schema.registry.url", server.url(),
                "bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "t",
                "basic.auth.user.info", "u:p"))).hasMessage("set basic auth or bearer auth for the schema registry, not both");
        assertThatThrownBy(() -> new SchemaRegistrySerdeConfig(Map.of("schema.registry.url", server.url(),
                "bearer.auth.credentials.source", "OAUTHBEARER"))).hasMessageContaining("must be STATIC_TOKEN");
        assertThat(new SchemaRegistrySerdeConfig(Map.of("schema.registry.url", server.url(),
                "bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "secret-token")).toString())
                .doesNotContain("secret-token");
    }

    @Test
    void basicAuthIsSentAndCredentialsNeverAppearInMessages() throws Exception {
        serve(r -> Reply.error(401, 40101, "Unauthorized: bad password hunter2"));
        try (RestSchemaRegistryClient client = client(server.url(), "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "svc:hunter2")) {
            assertThatThrownBy(() -> client.getById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(401);
                        assertThat(e.errorCode()).isEqualTo(40101);
                        assertThat(e.isTransient()).isFalse();
                    })
                    .hasMessageContaining("HTTP 401").hasMessageContaining("basic.auth.user.info")
                    .hasMessageNotContaining("hunter2");
        }
        final String expected = "Basic " + Base64.getEncoder().encodeToString("svc:hunter2".getBytes(StandardCharsets.UTF_8));
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.authorization()).isEqualTo(expected));

        server.answer(r -> Reply.error(503, 50003, "down"));
        final String urlWithCredentials = server.url().replace("http://", "http://svc:hunter2@");
        try (RestSchemaRegistryClient client = client(urlWithCredentials, "schema.registry.retries", 1)) {
            assertThatThrownBy(() -> client.getById(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining(server.url()).hasMessageNotContaining("hunter2").hasMessageNotContaining("svc:");
        }
        assertThat(server.requests()).last().satisfies(r -> assertThat(r.authorization()).isEqualTo(expected));
    }

    @Test
    void cachesAvoidRepeatCalls() throws Exception {
        final AtomicInteger ids = new AtomicInteger(100);
        serve(r -> r.rawPath().startsWith("/schemas/ids/") ? Reply.json(200, schemaReply(WIDGET_JSON))
                : Reply.json(200, "{\"id\":" + ids.incrementAndGet() + "}"));
        try (RestSchemaRegistryClient client = client(server.url())) {
            final int id = client.register("a-value", WIDGET);
            assertThat(client.register("a-value", WIDGET)).isEqualTo(id);
            assertThat(client.getId("a-value", WIDGET)).isEqualTo(id);
            assertThat(client.getById(id)).isEqualTo(WIDGET); // known from the registration
            assertThat(server.requests()).hasSize(1);

            assertThat(client.getById(7)).isEqualTo(WIDGET);
            assertThat(client.getById(7)).isEqualTo(WIDGET);
            assertThat(server.requests()).hasSize(2);
        }
    }

    @Test
    void serdesCallTheRegistryOncePerSchemaNotPerRecord() throws Exception {
        final String uploaded = TestEvents.UPLOADED.toString();
        serve(r -> switch (r.method() + " " + r.rawPath()) {
            case "POST /subjects/uploads-value/versions" -> Reply.json(200, "{\"id\":7}");
            case "GET /schemas/ids/7" -> Reply.json(200, schemaReply(uploaded));
            default -> Reply.error(404, 40401, "unexpected " + r.rawPath());
        });
        final Map<String, Object> configs = Map.of("schema.registry.url", server.url());
        try (SpecificAvroSerde<io.sealstream.events.ObjectUploaded> writer = new SpecificAvroSerde<>(io.sealstream.events.ObjectUploaded.class);
                SpecificAvroSerde<io.sealstream.events.ObjectUploaded> reader = new SpecificAvroSerde<>(io.sealstream.events.ObjectUploaded.class)) {
            writer.configure(configs, false);
            reader.configure(configs, false);
            for (int i = 0; i < 50; i++) {
                final io.sealstream.events.ObjectUploaded event = TestEvents.staged("e-" + i);
                assertThat(reader.deserializer().deserialize("uploads", writer.serializer().serialize("uploads", event))).isEqualTo(event);
            }
        }
        assertThat(server.requests()).extracting(FakeRegistryServer.Request::rawPath)
                .containsExactly("/subjects/uploads-value/versions", "/schemas/ids/7");
    }

    @Test
    void cachesAreBounded() throws Exception {
        serve(r -> Reply.json(200, schemaReply(WIDGET_JSON)));
        try (RestSchemaRegistryClient client = client(server.url(), "schema.registry.cache.capacity", 2)) {
            client.getById(1);
            client.getById(2);
            client.getById(1); // cached
            client.getById(3); // evicts 2, the least recently used
            client.getById(1); // cached
            client.getById(2); // fetched again
        }
        assertThat(server.requests()).extracting(FakeRegistryServer.Request::rawPath)
                .containsExactly("/schemas/ids/1", "/schemas/ids/2", "/schemas/ids/3", "/schemas/ids/2");
    }

    @Test
    void aSchemaThatIsNotAvroIsRefusedClearly() throws Exception {
        serve(r -> Reply.json(200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"));
        try (RestSchemaRegistryClient client = client(server.url())) {
            assertThatThrownBy(() -> client.getById(9)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("PROTOBUF").hasMessageContaining("schema id 9");
        }
    }
}
