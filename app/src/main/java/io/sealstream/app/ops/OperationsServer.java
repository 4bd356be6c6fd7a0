package io.sealstream.app.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sealstream.health.DependencyHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint: {@code GET /metrics} (Prometheus text format), {@code /health/live} and
 * {@code /health/ready} (200 or 503, with a small JSON body saying why). Read-only: it takes no command and shows no
 * secret, key id or tenant. Four daemon threads serve it, and requests and responses are time-bounded, so slow
 * clients cannot hold the probes.
 */
public final class OperationsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the health endpoints report: the pipeline's state and its dependencies. */
    public interface Health {
        /** Whether the process should be left running (false: stream threads are dead, restart it). */
        boolean live();

        /** Whether the stream threads run (RUNNING, or rebalancing after having run). */
        boolean streamsRunning();

        /** The Kafka Streams state, for the body. */
        String streamsState();

        /** Every watched dependency (KMS, object store, schema registry). */
        List<DependencyHealth> dependencies();
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private OperationsServer(final HttpServer server, final ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving on {@code bindAddress:port} (0 = any free port). */
    public static OperationsServer start(final String bindAddress, final int port,
                                         final PrometheusMeterRegistry metrics, final Health health) {
        // The JDK server waits for ever on a client that sends half a request or reads slowly: bound both, so slow
        // scrapers cannot hold the workers the probes need (kept if the JVM's user set them).
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", "10"));
        System.setProperty("sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", "30"));
        final HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot serve the operations endpoint on " + bindAddress + ":" + port
                    + " (sealstream.ops.port / bind-address): " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", metrics::scrape));
        server.createContext("/health/live", exchange -> {
            final boolean live = health.live();
            final ObjectNode body = JSON.createObjectNode().put("status", live ? "UP" : "DOWN")
                    .put("streams", health.streamsState());
            respond(exchange, live ? 200 : 503, "application/json", () -> body + "\n");
        });
        server.createContext("/health/ready", exchange -> {
            final Readiness readiness = Readiness.of(health);
            respond(exchange, readiness.ready() ? 200 : 503, "application/json", readiness::json);
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8",
                () -> "sealstream operations endpoint: /metrics, /health/live, /health/ready\n"));
        final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            final Thread t = new Thread(r, "sealstream-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        final OperationsServer started = new OperationsServer(server, executor);
        LOG.info("operations endpoint on http://{}:{} (/metrics, /health/live, /health/ready)", bindAddress,
                started.port());
        return started;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(final HttpExchange exchange, final int status, final String contentType,
                                final Supplier<String> body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (final RuntimeException e) {
            LOG.warn("operations endpoint: {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
            throw e;
        }
    }

    /** Ready: stream threads running and no dependency down; the body lists each check. */
    record Readiness(boolean ready, String json) {
        static Readiness of(final Health health) {
            final ObjectNode root = JSON.createObjectNode();
            root.put("streams", health.streamsState());
            final ObjectNode dependencies = root.putObject("dependencies");
            boolean ready = health.streamsRunning();
            for (final DependencyHealth d : health.dependencies()) {
                ready &= !d.isDown();
                dependencies.put(d.name(), d.isDown() ? "DOWN" : "UP");
            }
            root.put("status", ready ? "UP" : "DOWN");
            return new Readiness(ready, root + "\n");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
