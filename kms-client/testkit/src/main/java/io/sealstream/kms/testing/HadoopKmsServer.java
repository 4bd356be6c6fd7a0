package io.sealstream.kms.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Hadoop KMS server (3.4.3, from Maven Central) in a separate JVM on a free loopback port, for tests.
 *
 * <p>Its classpath is the file the kms-client build writes with {@code dependency:build-classpath} (the
 * {@code provided}-scope {@code hadoop-kms} dependency, never on any runtime classpath): the system property
 * {@value #CLASSPATH_PROPERTY} (set by surefire), else {@code target/hadoop-kms.classpath} or
 * {@code ../kms-client/testkit/target/hadoop-kms.classpath} or {@code ../testkit/target/hadoop-kms.classpath} from the working directory (for other modules' tests).
 * {@link #start(Path)} writes a config directory ({@code kms-site.xml}: loopback host, the port, a JCEKS key store in
 * the directory, simple authentication; {@code kms-acls.xml}: everything allowed except for user
 * {@value #BLOCKED_USER}; empty {@code core-site.xml} and {@code ssl-server.xml}; a log4j file), starts
 * {@code org.apache.hadoop.crypto.key.kms.server.KMSWebServer}, logs to {@code kms.log} in the directory and waits
 * until {@code GET /kms/v1/keys/names} answers. {@link #close()} destroys the process.
 */
public final class HadoopKmsServer implements AutoCloseable {

    public static final String CLASSPATH_PROPERTY = "sealstream.hadoop-kms.classpath";
    public static final String MAIN_CLASS = "org.apache.hadoop.crypto.key.kms.server.KMSWebServer";
    /** A user every operation is refused to (403), for authorisation tests. */
    public static final String BLOCKED_USER = "blocked";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final String[] OPERATIONS = {"CREATE", "DELETE", "ROLLOVER", "GET", "GET_KEYS", "GET_METADATA",
            "SET_KEY_MATERIAL", "GENERATE_EEK", "DECRYPT_EEK"};

    private final Process process;
    private final int port;
    private final Path dir;
    private final Duration startTime;

    private HadoopKmsServer(final Process process, final int port, final Path dir, final Duration startTime) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.startTime = startTime;
    }

    /** Starts a server with its config, key store and logs in {@code dir} (created; emptied of an old key store). */
    public static HadoopKmsServer start(final Path dir) throws IOException, InterruptedException {
        final String classpath = classpath();
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probing and binding
            final int port = freePort();
            writeConfig(dir, port);
            final long started = System.nanoTime();
            final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            final ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "-Dkms.config.dir=" + dir.resolve("conf"),
                    "-Dlog4j.configuration=" + dir.resolve("conf/kms-log4j.properties").toUri(),
                    "-Dhadoop.tmp.dir=" + dir.resolve("tmp"),
                    "-cp", classpath, MAIN_CLASS)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("kms.out").toFile());
            final Process process = builder.start();
            final HadoopKmsServer server = new HadoopKmsServer(process, port, dir, null);
            try {
                server.awaitReady();
                return new HadoopKmsServer(process, port, dir, Duration.ofNanos(System.nanoTime() - started));
            } catch (final IOException e) {
                server.close();
                lastFailure = e;
                if (!server.logTail().contains("BindException")) {
                    break;
                }
            }
        }
        throw lastFailure;
    }

    /** The server's classpath, from the file the build wrote. */
    public static String classpath() {
        final String property = System.getProperty(CLASSPATH_PROPERTY);
        for (final Path candidate : property != null ? List.of(Path.of(property))
                : List.of(Path.of("target/hadoop-kms.classpath"), Path.of("../kms-client/testkit/target/hadoop-kms.classpath"), Path.of("../testkit/target/hadoop-kms.classpath"))) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return Files.readString(candidate, StandardCharsets.UTF_8).strip();
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no Hadoop KMS classpath file (" + (property != null ? property
                : "target/hadoop-kms.classpath") + "): build kms-client with Maven (dependency:build-classpath@hadoop-kms-classpath)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void writeConfig(final Path dir, final int port) throws IOException {
        final Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.createDirectories(dir.resolve("tmp"));
        Files.deleteIfExists(conf.resolve("kms.jceks"));
        Files.deleteIfExists(conf.resolve(".kms.jceks.crc"));
        Files.writeString(conf.resolve("kms-site.xml"), configuration(
                "hadoop.kms.http.host", "127.0.0.1",
                "hadoop.kms.http.port", Integer.toString(port),
                "hadoop.kms.key.provider.uri", "jceks://file@" + conf.resolve("kms.jceks").toAbsolutePath(),
                "hadoop.kms.authentication.type", "simple",
                "hadoop.http.temp.dir", dir.resolve("tmp").toAbsolutePath().toString()));
        Files.writeString(conf.resolve("core-site.xml"), configuration());
        Files.writeString(conf.resolve("ssl-server.xml"), configuration());
        final String[] acls = new String[OPERATIONS.length * 4 + 8];
        int i = 0;
        for (final String op : OPERATIONS) {
            acls[i++] = "hadoop.kms.acl." + op;
            acls[i++] = "*";
            acls[i++] = "hadoop.kms.blacklist." + op;
            acls[i++] = BLOCKED_USER;
        }
        for (final String keyOp : new String[] {"MANAGEMENT", "GENERATE_EEK", "DECRYPT_EEK", "READ"}) {
            acls[i++] = "default.key.acl." + keyOp;
            acls[i++] = "*";
        }
        Files.writeString(conf.resolve("kms-acls.xml"), configuration(acls));
        Files.writeString(conf.resolve("kms-log4j.properties"), String.join("\n",
                "log4j.rootLogger=INFO, file",
                "log4j.appender.file=org.apache.log4j.FileAppender",
                "log4j.appender.file.File=" + dir.resolve("kms.log").toAbsolutePath(),
                "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.file.layout.ConversionPattern=%d{ISO8601} %p %c{1} - %m%n", ""));
    }

    private static String configuration(final String... namesAndValues) {
        final StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            xml.append("  <property><name>").append(namesAndValues[i]).append("</name><value>")
                    .append(namesAndValues[i + 1].replace("&", "&amp;").replace("<", "&lt;"))
                    .append("</value></property>\n");
        }
        return xml.append("</configuration>\n").toString();
    }

    private void awaitReady() throws IOException, InterruptedException {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final HttpRequest probe = HttpRequest.newBuilder(url().resolve("/kms/v1/keys/names?user.name=probe"))
                .timeout(Duration.ofSeconds(5)).build();
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Hadoop KMS exited with " + process.exitValue() + " before it was ready; log:\n" + logTail());
            }
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (final IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("Hadoop KMS not ready after " + READY_TIMEOUT.toSeconds() + " s; log:\n" + logTail());
    }

    /** The last lines of the server's log and console output, for failure messages. */
    public String logTail() {
        final StringBuilder tail = new StringBuilder();
        for (final String file : new String[] {"kms.out", "kms.log"}) {
            try {
                final List<String> lines = Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
                tail.append("== ").append(file).append('\n');
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> tail.append(l).append('\n'));
            } catch (final IOException missing) {
                // not written yet
            }
        }
        return tail.toString();
    }

    /** {@code http://127.0.0.1:<port>}: the server root (the REST API is under {@code /kms/v1}). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** From process start until the REST API answered. */
    public Duration startTime() {
        return startTime;
    }

    public Path logFile() {
        return dir.resolve("kms.log");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "HadoopKmsServer[" + url() + ", pid " + process.pid() + "]";
    }
}
