package io.sealstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * How S3 error responses reach the caller, against a fake server that answers every request with one chosen error:
 * transient ones as {@link ObjectStoreUnavailableException}, 404 as not-found, the rest as a plain IOException
 * naming status and code. (The SDK's own retries run first; the fake counts them.)
 */
class S3ErrorMappingTest {

    private HttpServer server;
    private volatile int status;
    private volatile String code;
    private final AtomicInteger requests = new AtomicInteger();
    private S3ObjectStore store;
    private final ObjectLocation location = new ObjectLocation("bucket", "some/key");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            final byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                    + "Message for " + code + "\nsecond line</Message><RequestId>r1</RequestId></Error>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        final URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        // The SDK's retries stay on (two attempts) but without backoff, to keep this quick.
        final RetryStrategy quickRetries = AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2)
                .backoffStrategy(BackoffStrategy.retryImmediately())
                .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                .build();
        store = new S3ObjectStore(S3StoreConfig.forEndpoint(endpoint, "AKIDEXAMPLE", "fake-secret-key")
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)),
                b -> b.overrideConfiguration(o -> o.retryStrategy(quickRetries)));
    }

    @AfterEach
    void stop() {
        store.close();
        server.stop(0);
    }

    private void answer(final int newStatus, final String newCode) {
        status = newStatus;
        code = newCode;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"503, SlowDown", "500, InternalError", "502, BadGateway", "429, TooManyRequests",
            "400, RequestTimeout"})
    void transientServerErrorsAreUnavailable(final int httpStatus, final String errorCode) {
        answer(httpStatus, errorCode);

        final Throwable put = catchThrowable(() -> store.put(location, Map.of(), out -> out.write(1)));
        final Throwable get = catchThrowable(() -> store.get(location));

        for (final Throwable t : new Throwable[] {put, get}) {
            assertThat(t).isInstanceOf(ObjectStoreUnavailableException.class)
                    .hasMessageContaining("store unavailable at " + store.config().endpoint())
                    .hasMessageContaining("HTTP " + httpStatus + " " + errorCode + ": Message for " + errorCode
                            + " second line")
                    .hasMessageNotContaining("\n")
                    .hasMessageNotContaining("fake-secret-key");
        }
        assertThat(requests.get()).as("the SDK retried before giving up").isEqualTo(4);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"403, AccessDenied", "400, InvalidArgument", "409, OperationAborted", "400, EntityTooLarge"})
    void otherErrorsArePermanentAndNameStatusAndCode(final int httpStatus, final String errorCode) {
        answer(httpStatus, errorCode);

        assertThatThrownBy(() -> store.put(location, Map.of(), out -> out.write(1)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("S3 put of s3://bucket/some/key failed: HTTP " + httpStatus + " " + errorCode
                        + ": Message for " + errorCode + " second line");
        assertThatThrownBy(() -> store.get(location))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("S3 get of s3://bucket/some/key failed: HTTP " + httpStatus + " " + errorCode);
        assertThatThrownBy(() -> store.head(location))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("S3 head of s3://bucket/some/key failed: HTTP " + httpStatus);
    }

    @Test
    void notFoundIsNotFoundOnGetEmptyOnHeadAndNothingOnDelete() throws IOException {
        answer(404, "NoSuchKey");

        assertThatThrownBy(() -> store.get(location)).isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object not found: s3://bucket/some/key");
        assertThat(store.head(location)).isEmpty();
        store.delete(location);
    }

    @Test
    void aConnectionLostMidBodyMakesTheReadUnavailable() throws IOException {
        server.removeContext("/");
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, 1 << 20);
            exchange.getResponseBody().write(new byte[100_000]);
            exchange.getResponseBody().flush();
            exchange.getResponseBody().close(); // hangs up without the rest
        });

        try (InputStream in = store.get(location)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(ObjectStoreUnavailableException.class)
                    .hasMessageStartingWith("S3 get of s3://bucket/some/key: reading failed");
        }
    }
}
