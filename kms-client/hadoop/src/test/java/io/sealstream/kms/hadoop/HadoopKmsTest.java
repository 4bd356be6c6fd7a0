package io.sealstream.kms.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.testing.HadoopKmsServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider contract and Hadoop KMS specifics against a real Hadoop KMS 3.4.3 server in its own JVM. */
class HadoopKmsTest extends KmsProviderContract {

    private static HadoopKmsServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = HadoopKmsServer.start(Path.of(System.getProperty("sealstream.test.work", "target"), "hadoop-kms"));
        System.out.println("Hadoop KMS 3.4.3 ready at " + server.url() + " after " + server.startTime().toMillis() + " ms");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected KeyManagementService createProvider() {
        return HadoopKmsConfig.of(server.url(), "sealstream-test").open();
    }

    /** Hadoop KMS has no operation that removes one key version: only whole keys can be deleted. */
    @Override
    protected boolean supportsVersionDestruction() {
        return false;
    }

    @Test
    void versionsAreHadoopVersionNames() {
        assertThat(kms.describeKey(keyId).versions()).containsExactly(keyId + "@0");
        assertThat(kms.rotateKey(keyId).versions()).containsExactly(keyId + "@0", keyId + "@1");
        try (DataKey key = kms.generateDataKey(keyId)) {
            assertThat(key.kek().version()).isEqualTo(keyId + "@1");
        }
        assertThat(kms.describeKey(keyId).created()).isAfter(java.time.Instant.now().minusSeconds(600));
    }

    @Test
    void aTamperedEekDecryptsOnTheServerButTheIntegrityCheckRejectsIt() throws Exception {
        try (DataKey key = kms.generateDataKey(keyId)) {
            final byte[] bytes = key.wrapped().ciphertext();
            final int versionLength = bytes[1] & 0xff;
            final int ivAt = 3 + versionLength;
            final int eekAt = ivAt + HadoopKms.IV_BYTES + 1;
            final byte[] iv = Arrays.copyOfRange(bytes, ivAt, ivAt + HadoopKms.IV_BYTES);
            final byte[] eek = Arrays.copyOfRange(bytes, eekAt, eekAt + 32);
            eek[5] ^= 0x01;
            // What Hadoop does with it: AES-CTR, no authentication, so "success" with another key.
            final HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.url().resolve("/kms/v1/keyversion/" + key.kek().version() + "/_eek?eek_op=decrypt&user.name=t"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(KmsJson.object("name", keyId, "iv",
                            KmsJson.encodeBase64(iv), "material", KmsJson.encodeBase64(eek)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(raw.statusCode()).as("the server decrypts a tampered EEK without complaint").isEqualTo(200);
            assertThat(raw.body()).contains("\"material\"");
            // What the client does with it.
            bytes[eekAt + 5] ^= 0x01;
            assertThatThrownBy(() -> kms.unwrap(new WrappedDataKey(key.dekId(), key.kek(), bytes)))
                    .isInstanceOf(KeyUnwrapException.class)
                    .hasMessageContaining(key.dekId()).hasMessageContaining("integrity check failed");
        }
    }

    @Test
    void aServerOrProxyReturningOtherKeyMaterialIsDetected() throws Exception {
        final HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/", exchange -> {
            try (exchange) {
                final byte[] requestBody = exchange.getRequestBody().readAllBytes();
                final HttpRequest.Builder forward = HttpRequest.newBuilder(server.url().resolve(exchange.getRequestURI().toString()))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(requestBody));
                final String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                if (contentType != null) {
                    forward.header("Content-Type", contentType);
                }
                final HttpResponse<String> answer = HttpClient.newHttpClient().send(forward.build(),
                        HttpResponse.BodyHandlers.ofString());
                String body = answer.body();
                if (exchange.getRequestURI().getQuery().contains("eek_op=decrypt")) {
                    body = flipFirstMaterialCharacter(body);
                }
                final byte[] out = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.statusCode(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        proxy.start();
        try (KeyManagementService viaProxy = HadoopKmsConfig.of(
                URI.create("http://127.0.0.1:" + proxy.getAddress().getPort()), "sealstream-test").open();
             DataKey key = kms.generateDataKey(keyId)) {
            assertThatThrownBy(() -> viaProxy.unwrap(key.wrapped()))
                    .isInstanceOf(KeyUnwrapException.class).hasMessageContaining(key.dekId());
        } finally {
            proxy.stop(0);
        }
    }

    private static String flipFirstMaterialCharacter(final String body) {
        final Matcher m = Pattern.compile("\"material\"\\s*:\\s*\"(.)").matcher(body);
        assertThat(m.find()).isTrue();
        final char c = m.group(1).charAt(0);
        return body.substring(0, m.start(1)) + (c == 'A' ? 'B' : 'A') + body.substring(m.end(1));
    }

    @Test
    void serverDownIsUnavailable() throws Exception {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (DataKey key = kms.generateDataKey(keyId);
             KeyManagementService down = new HadoopKmsConfig(URI.create("http://127.0.0.1:" + port), "sealstream-test",
                     Duration.ofSeconds(2), Duration.ofSeconds(5), null).open()) {
            assertThatThrownBy(() -> down.generateDataKey(keyId)).isInstanceOf(KmsUnavailableException.class)
                    .hasMessageContaining("unreachable").satisfies(e -> assertThat(((KmsException) e).isTransient()).isTrue());
            assertThatThrownBy(() -> down.unwrap(key.wrapped())).isInstanceOf(KmsUnavailableException.class);
            assertThatThrownBy(() -> down.describeKey(keyId)).isInstanceOf(KmsUnavailableException.class);
        }
    }

    @Test
    void forbiddenUserIsAPermanentFailure() {
        try (KeyManagementService blocked = HadoopKmsConfig.of(server.url(), HadoopKmsServer.BLOCKED_USER).open()) {
            assertThatThrownBy(() -> blocked.describeKey(keyId))
                    .isInstanceOf(KmsException.class)
                    .hasMessageContaining("HTTP 403").hasMessageContaining("'" + HadoopKmsServer.BLOCKED_USER + "'")
                    .satisfies(e -> assertThat(((KmsException) e).isTransient()).isFalse())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void creatingAnExistingKeyFailsAndSingleVersionsCannotBeDestroyed() {
        assertThatThrownBy(() -> kms.createKey(keyId)).isInstanceOf(KmsException.class)
                .hasMessageContaining("already exists").satisfies(e -> assertThat(((KmsException) e).isTransient()).isFalse());
        kms.rotateKey(keyId);
        assertThatThrownBy(() -> kms.destroyKeyVersion(keyId, keyId + "@0"))
                .isInstanceOf(UnsupportedKmsOperationException.class);
    }

    @Test
    void configFromPropertiesNormalisesAndValidates() {
        final HadoopKmsConfig config = HadoopKmsConfig.fromProperties(Map.of(
                HadoopKmsConfig.PREFIX + "url", "http://kms.example:9600/kms/v1/",
                HadoopKmsConfig.PREFIX + "user", "svc-sealstream",
                HadoopKmsConfig.PREFIX + "request-timeout", "10s"),
                Map.of(HadoopKms.AUTHORIZATION_ENV, "Bearer very-secret-token"));
        assertThat(config.url()).isEqualTo(URI.create("http://kms.example:9600"));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.toString()).doesNotContain("very-secret-token").contains("<redacted>");
        assertThatThrownBy(() -> HadoopKmsConfig.fromProperties(Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HadoopKmsConfig.PREFIX + "url");
        assertThatThrownBy(() -> HadoopKmsConfig.fromProperties(Map.of(HadoopKmsConfig.PREFIX + "url", "ftp://x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://host:port");
        assertThatThrownBy(() -> HadoopKmsConfig.fromProperties(Map.of(HadoopKmsConfig.PREFIX + "url", "http://x:1",
                HadoopKmsConfig.PREFIX + "usr", "x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HadoopKmsConfig.PREFIX + "usr");
    }

    @Test
    void theServersJarsStayOffTheTestClasspath() {
        assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(HadoopKmsServer.classpath()).contains("hadoop-kms-3.4.3.jar");
    }

    @Test
    void throughput() {
        final int n = 300;
        final List<WrappedDataKey> wrapped = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (DataKey key = kms.generateDataKey(keyId)) {
                wrapped.add(key.wrapped());
            }
        }
        final double generatePerSecond = n / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        for (final WrappedDataKey w : wrapped) {
            kms.unwrap(w).close();
        }
        final double unwrapPerSecond = n / ((System.nanoTime() - start) / 1e9);
        System.out.printf("Hadoop KMS 3.4.3 on loopback, one thread: generateDataKey %.0f/s (generate + decrypt), "
                + "unwrap %.0f/s%n", generatePerSecond, unwrapPerSecond);
        assertThat(generatePerSecond).isGreaterThan(5);
    }
}
