package io.sealstream.gateway;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.sealstream.envelope.JitWarmup;
import io.sealstream.envelope.Preset;
import io.sealstream.gateway.internal.GatewayHandler;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decrypting S3 read gateway: plain S3 clients (AWS SDKs, the AWS CLI, presigned URLs) read the plaintext view of
 * what the pipeline wrote, through the audited read path. Read-only; path-style addressing
 * ({@code http://host:port/<bucket>/<key>}). See docs/ARCHITECTURE.md, "S3 read gateway".
 */
public final class S3Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Gateway.class);

    static {
        // The JDK server writes the status line and headers apart from the body: with Nagle's algorithm on, a small
        // body then waits for the client's delayed ACK (~40 ms per response, measured here on 1-byte ranges). Read
        // once, when the server's configuration class loads, so it must be set before the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final ScheduledExecutorService refresher;
    private final boolean tls;

    private S3Gateway(final HttpServer server, final ExecutorService workers, final ScheduledExecutorService refresher,
                      final boolean tls) {
        this.server = server;
        this.workers = workers;
        this.refresher = refresher;
        this.tls = tls;
    }

    /**
     * Starts serving.
     *
     * @param store             the destination store the pipeline writes ciphertext to
     * @param destinationBucket its bucket ({@code sealstream.destination.bucket})
     * @param reader            the audited read path (store, DEK registry, KMS, audit log)
     * @param registryRefresh   catches the DEK registry up; run every {@link GatewayConfig#registryRefresh()}
     */
    public static S3Gateway start(final GatewayConfig config, final ObjectStore store, final String destinationBucket,
                                  final AuditedObjectReader reader, final Runnable registryRefresh, final Clock clock)
            throws IOException {
        Objects.requireNonNull(config, "config");
        config.unsafeSetting().ifPresent(w -> LOG.warn("UNSAFE gateway setting: {}", w));
        if (config.principals().isEmpty()) {
            LOG.warn("the gateway has no principals (sealstream.gateway.principal.*): every request will be refused");
        }
        final HttpServer server;
        if (config.tls().isPresent()) {
            final HttpsServer https = HttpsServer.create(config.listen(), 128);
            https.setHttpsConfigurator(new HttpsConfigurator(sslContext(config.tls().get())));
            server = https;
        } else {
            server = HttpServer.create(config.listen(), 128);
        }
        final AtomicInteger n = new AtomicInteger();
        final ExecutorService workers = Executors.newFixedThreadPool(config.threads(), r -> {
            final Thread t = new Thread(r, "sealstream-gateway-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "sealstream-gateway-registry");
            t.setDaemon(true);
            return t;
        });
        final long every = config.registryRefresh().toMillis();
        refresher.scheduleWithFixedDelay(() -> {
            try {
                registryRefresh.run();
            } catch (final RuntimeException e) {
                LOG.warn("catching up with the DEK registry failed (reads use what is known; retrying): {}", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        warmUp(config.warmupBytes());
        server.createContext("/", new GatewayHandler(config, store, destinationBucket, reader, clock));
        server.setExecutor(workers);
        server.start();
        final S3Gateway gateway = new S3Gateway(server, workers, refresher, config.tls().isPresent());
        LOG.info("S3 read gateway listening on {} ({} buckets, {} principals)", gateway.endpoint(),
                config.buckets().size(), config.principals().size());
        return gateway;
    }

    /** Decryption's JIT warm-up ({@link JitWarmup#runDecryption}) on a low-priority daemon thread. */
    private static void warmUp(final long bytes) {
        if (bytes <= 0) {
            return;
        }
        final Thread t = new Thread(() -> {
            final long started = System.nanoTime();
            try {
                JitWarmup.runDecryption(Preset.DEFAULT, bytes);
                LOG.info("JIT warm-up: {} MiB of throwaway data decrypted in {} ms", bytes >> 20,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (final IOException | RuntimeException e) {
                LOG.warn("JIT warm-up failed (the first reads decrypt more slowly): {}", e.toString());
            }
        }, "sealstream-gateway-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static SSLContext sslContext(final GatewayConfig.Tls tls) throws IOException {
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, tls.password().toCharArray());
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, tls.password().toCharArray());
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (final GeneralSecurityException e) {
            throw new IOException(GatewayConfigKeys.TLS_KEYSTORE.name() + ": cannot load the key store: " + e.getMessage(), e);
        }
    }

    /** Where it listens (the bound port when the configuration asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The endpoint URL clients use ({@code --endpoint-url}). */
    public URI endpoint() {
        final InetSocketAddress a = server.getAddress();
        final String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getAddress().getHostAddress();
        return URI.create((tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    @Override
    public void close() {
        server.stop(1);
        refresher.shutdownNow();
        workers.shutdownNow();
    }
}
