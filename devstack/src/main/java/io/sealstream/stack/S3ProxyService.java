package io.sealstream.stack;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * S3Proxy 4.1.0 as its own process: a real S3 API (SigV4 checked) over a directory ({@code filesystem-nio2}). The
 * credentials are generated per stack and written only to owner-readable files.
 */
public final class S3ProxyService {

    private S3ProxyService() {
    }

    public static ServiceProcess start(final Path dir, final Path jar, final int port, final String accessKey,
                                       final String secretKey, final Duration timeout) throws IOException {
        return start(dir, jar, port, accessKey, secretKey, timeout, null);
    }

    /** As above; with {@code tls}, on S3Proxy's secure endpoint only (https, the stack's server certificate). */
    public static ServiceProcess start(final Path dir, final Path jar, final int port, final String accessKey,
                                       final String secretKey, final Duration timeout, final StackTls tls)
            throws IOException {
        final Path home = Files.createDirectories(dir.resolve("s3"));
        final Path data = Files.createDirectories(home.resolve("data"));
        final Path conf = home.resolve("s3proxy.conf");
        Files.deleteIfExists(conf);
        Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
            w.write(String.join("\n", tls == null ? List.of("s3proxy.endpoint=http://127.0.0.1:" + port)
                    : List.of("s3proxy.secure-endpoint=https://127.0.0.1:" + port,
                            "s3proxy.keystore-path=" + tls.serverKeystore(),
                            "s3proxy.keystore-password=" + tls.storePassword())) + "\n");
            w.write(String.join("\n",
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                    "jclouds.identity=" + accessKey,
                    "jclouds.credential=" + secretKey,
                    ""));
        }
        final List<String> command = List.of(ServiceProcess.javaCommand(),
                ServiceProcess.MARKER + dir.toAbsolutePath().normalize(),
                "-Xmx512m", "-jar", jar.toAbsolutePath().toString(), "--properties", conf.toString());
        final ServiceProcess s3 = ServiceProcess.launch("s3proxy", command, home, dir.resolve("logs/s3proxy.log"));
        // Unauthenticated requests are refused with 403 once it listens.
        final java.net.http.HttpClient http = RegistryService.client(tls);
        final String url = (tls == null ? endpoint(port) : secureEndpoint(port)) + "/";
        s3.awaitReady(() -> RegistryService.status(http, url, "GET", null) == 403, timeout);
        return s3;
    }

    public static String endpoint(final int port) {
        return "http://127.0.0.1:" + port;
    }

    public static String secureEndpoint(final int port) {
        return "https://127.0.0.1:" + port;
    }
}
