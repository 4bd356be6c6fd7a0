package io.sealstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API server in this JVM for tests: S3Proxy on a free loopback port, objects kept by its
 * {@code filesystem-nio2} back end in a directory, requests authenticated with SigV4 (or V2) against fixed test
 * credentials, so a wrong secret key gets a real 403. Starts in about a second.
 *
 * <p>{@link #shared()} is one server per JVM, started on first use and stopped (its directory deleted) by a shutdown
 * hook; {@code close()} on it does nothing, so tests may use it in try-with-resources by mistake without stopping it
 * for the others. Tests that stop a server on purpose start their own with {@link #start(Path)}. Give every test
 * class its own bucket ({@link #createBucket}, idempotent) and the shared server stays clean enough.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "sealstream-test-access";
    public static final String SECRET_KEY = "sealstream-test-secret-key";
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static S3ProxyServer shared;

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final URI endpoint;
    private final Path directory;
    private final boolean isShared;
    private final Path deleteOnClose;

    private S3ProxyServer(final Path directory, final boolean isShared, final Path deleteOnClose) throws Exception {
        this(directory, isShared, deleteOnClose, 0);
    }

    private S3ProxyServer(final Path directory, final boolean isShared, final Path deleteOnClose, final int port)
            throws Exception {
        this.directory = directory;
        this.isShared = isShared;
        this.deleteOnClose = deleteOnClose;
        Files.createDirectories(directory);
        final Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        properties.setProperty("jclouds.identity", "");
        properties.setProperty("jclouds.credential", "");
        this.blobStore = BlobStores.create("filesystem-nio2", properties);
        this.proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .build();
        proxy.start();
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT + ": " + proxy.getState());
            }
            Thread.sleep(10);
        }
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A new server keeping its objects in {@code directory} (created if needed); close it to stop it. */
    public static S3ProxyServer start(final Path directory) {
        try {
            return new S3ProxyServer(directory, false, null);
        } catch (final RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException("cannot start S3Proxy in " + directory + ": " + e, e);
        }
    }

    /**
     * A server on {@code port} keeping its objects in {@code directory}: a server stopped by a test comes back where
     * its clients expect it, with its objects.
     */
    public static S3ProxyServer start(final Path directory, final int port) {
        try {
            return new S3ProxyServer(directory, false, null, port);
        } catch (final RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException("cannot start S3Proxy on port " + port + " in " + directory + ": " + e, e);
        }
    }

    /** The server of this JVM, started on first call; stopped, and its directory deleted, when the JVM exits. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null) {
            try {
                final Path dir = Files.createTempDirectory("sealstream-s3proxy-");
                final S3ProxyServer server = new S3ProxyServer(dir, true, dir);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "s3proxy-shutdown"));
                shared = server;
            } catch (final Exception e) {
                throw new IllegalStateException("cannot start the shared S3Proxy: " + e, e);
            }
        }
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** Where the back end keeps buckets (one directory each) and objects. */
    public Path directory() {
        return directory;
    }

    /** Creates a bucket; one that exists already is fine. */
    public void createBucket(final String bucket) {
        if (!blobStore.containerExists(bucket)) {
            try (S3Client client = newClient()) {
                client.createBucket(b -> b.bucket(bucket));
            } catch (final BucketAlreadyOwnedByYouException e) {
                // created meanwhile: fine
            }
        }
    }

    /** A raw SDK client for assertions the store does not offer (ListMultipartUploads, ETags); close it. */
    public S3Client newClient() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Stops this server, unless it is the shared one (a shutdown hook stops that). */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private synchronized void stop() {
        try {
            proxy.stop();
        } catch (final Exception e) {
            // stopping for good: nothing to do about it
        }
        blobStore.close();
        if (deleteOnClose != null) {
            try {
                deleteTree(deleteOnClose);
            } catch (final IOException | UncheckedIOException e) {
                // temporary directory: left for the OS
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
