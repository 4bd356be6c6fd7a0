package io.sealstream.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The local stack without Docker: a Kafka broker (KRaft), Apicurio Registry (Confluent API) and S3Proxy, each its
 * own process on loopback, started and waited for in turn; then the pipeline's topics and buckets are created and
 * {@code DIR/stack.env} written. {@code sealstream stack up|status|down}, the integration tests and the end-to-end
 * benchmark all start services through this class.
 */
public final class LocalStack {

    public static final String PIDS = "stack.pids";

    private LocalStack() {
    }

    /**
     * @param dir           where the services keep their data, logs, pids and {@code stack.env}
     * @param artifacts     where Maven put Apicurio ({@code apicurio/}) and S3Proxy ({@code s3proxy.jar})
     * @param kafkaPort     0 for a free port
     * @param registryPort  0 for a free port
     * @param s3Port        0 for a free port
     * @param topics        the topics to create (the pipeline's and the key lifecycle's)
     * @param compacted     those of {@code topics} to create compacted and kept without time limit (the DEK registry
     *                      and job checkpoints)
     * @param partitions    partitions of the pipeline's topics
     * @param tls           secured: Kafka on SASL_SSL (SCRAM-SHA-512) and mutual TLS, the registry and S3 over https,
     *                      all with the stack's own CA ({@link StackTls})
     */
    public record Options(Path dir, Path artifacts, int kafkaPort, int registryPort, int s3Port, String bucket,
                          String stagingBucket, List<String> topics, Set<String> compacted, int partitions,
                          Duration timeout, boolean tls) {
        public Options {
            dir = dir.toAbsolutePath().normalize();
            topics = List.copyOf(topics);
            compacted = Set.copyOf(compacted);
        }

        public Options(final Path dir, final Path artifacts, final int kafkaPort, final int registryPort,
                       final int s3Port, final String bucket, final String stagingBucket, final List<String> topics,
                       final Set<String> compacted, final int partitions, final Duration timeout) {
            this(dir, artifacts, kafkaPort, registryPort, s3Port, bucket, stagingBucket, topics, compacted, partitions,
                    timeout, false);
        }

        /** The same options, secured ({@code stack up --tls}). */
        public Options secured() {
            return new Options(dir, artifacts, kafkaPort, registryPort, s3Port, bucket, stagingBucket, topics,
                    compacted, partitions, timeout, true);
        }

        /** The default buckets, partitions and start-up timeout, with these topics. */
        public static Options defaults(final Path dir, final Path artifacts, final List<String> topics,
                                       final Set<String> compacted) {
            return new Options(dir, artifacts, 0, 0, 0, "sealstream", "staging", topics, compacted, 4,
                    Duration.ofMinutes(3));
        }
    }

    /** Where the build put the stack's artifacts: {@code sealstream.stack.home}, {@code SEALSTREAM_STACK_HOME}, or beside the jar. */
    public static Path defaultArtifacts() {
        final String prop = System.getProperty("sealstream.stack.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        final String env = System.getenv("SEALSTREAM_STACK_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            final Path code = Path.of(LocalStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return (Files.isDirectory(code) ? code.getParent() : code.getParent()).resolve("stack");
        } catch (final Exception e) {
            return Path.of("streams", "target", "stack");
        }
    }

    /** Starts the stack; on any failure stops what it started and rethrows. */
    public static StackEnv up(final Options o, final PrintStream progress) throws IOException, InterruptedException {
        Files.createDirectories(o.dir());
        final List<ServiceProcess> running = readPids(o.dir()).stream().filter(p -> p.belongsTo(o.dir())).toList();
        if (!running.isEmpty()) {
            throw new IllegalStateException("a stack is already running in " + o.dir() + " (" + names(running)
                    + "); run 'sealstream stack down --dir " + o.dir() + "' first");
        }
        final Path runner = RegistryService.findRunnerJar(o.artifacts().resolve("apicurio"));
        final Path s3jar = o.artifacts().resolve("s3proxy.jar");
        if (!Files.isRegularFile(s3jar)) {
            throw new IllegalStateException("S3Proxy is not at " + s3jar + " (the ./sealstream launcher fetches it)");
        }
        // A stack started again in the same directory keeps its ports and credentials: its data (topics, schemas,
        // objects) is still there, and so are the configurations and clients that point at it.
        final Optional<StackEnv> before = previous(o.dir());
        final List<ServiceProcess> started = new ArrayList<>();
        try {
            final StackTls tls = o.tls() ? StackTls.createOrLoad(o.dir()) : null;
            final int kafkaPort = o.kafkaPort() > 0 ? o.kafkaPort()
                    : before.map(e -> portOf(e.kafkaBootstrapServers())).orElseGet(ServiceProcess::freePort);
            final int controllerPort = KafkaService.controllerPort(o.dir()).orElseGet(ServiceProcess::freePort);
            final KafkaService.Tls kafkaTls = tls == null ? null : new KafkaService.Tls(tls, before
                    .map(e -> e.clientSettings().get("KAFKA_MTLS_BOOTSTRAP_SERVERS")).map(LocalStack::portOf)
                    .orElseGet(ServiceProcess::freePort));
            long t0 = System.nanoTime();
            started.add(KafkaService.start(o.dir(), kafkaPort, controllerPort, o.timeout(), kafkaTls));
            writePids(o.dir(), started);
            progress.printf("kafka            127.0.0.1:%d ready in %.1f s%s%n", kafkaPort, secs(t0), kafkaTls == null ? ""
                    : " (SASL_SSL, SCRAM-SHA-512; mutual TLS on 127.0.0.1:" + kafkaTls.mtlsPort() + ")");
            final int registryPort = o.registryPort() > 0 ? o.registryPort()
                    : before.map(e -> portOf(e.schemaRegistryUrl())).orElseGet(ServiceProcess::freePort);
            t0 = System.nanoTime();
            started.add(RegistryService.start(o.dir(), runner, registryPort, o.timeout(), tls));
            writePids(o.dir(), started);
            final String registryUrl = tls == null ? RegistryService.confluentUrl(registryPort)
                    : RegistryService.secureConfluentUrl(registryPort);
            progress.printf("schema registry  %s ready in %.1f s (Apicurio, compatibility BACKWARD)%n", registryUrl,
                    secs(t0));
            final int s3Port = o.s3Port() > 0 ? o.s3Port()
                    : before.map(e -> portOf(e.s3Endpoint())).orElseGet(ServiceProcess::freePort);
            final String accessKey = before.map(StackEnv::s3AccessKey).orElseGet(() -> "sealstream-" + random(6));
            final String secretKey = before.map(StackEnv::s3SecretKey).orElseGet(() -> random(24));
            t0 = System.nanoTime();
            started.add(S3ProxyService.start(o.dir(), s3jar, s3Port, accessKey, secretKey, o.timeout(), tls));
            writePids(o.dir(), started);
            final String s3Endpoint = tls == null ? S3ProxyService.endpoint(s3Port) : S3ProxyService.secureEndpoint(s3Port);
            progress.printf("s3               %s ready in %.1f s (S3Proxy, filesystem)%n", s3Endpoint, secs(t0));
            final StackEnv env = new StackEnv("127.0.0.1:" + kafkaPort, registryUrl, s3Endpoint, accessKey, secretKey,
                    o.bucket(), o.stagingBucket(), tls == null ? Map.of() : tls.clientEnvironment(kafkaTls.mtlsPort()));
            createBuckets(env, tls);
            final List<String> topics = tls == null
                    ? createTopics(env.kafkaBootstrapServers(), Map.of(), o.topics(), o.compacted(), o.partitions())
                    : createTopics("127.0.0.1:" + kafkaTls.mtlsPort(), tls.mtlsClient(), o.topics(), o.compacted(),
                            o.partitions());
            progress.printf("created          buckets %s, %s; topics %s (%d partitions)%n", o.bucket(), o.stagingBucket(),
                    topics.isEmpty() ? "(all existed)" : String.join(", ", topics), o.partitions());
            env.write(o.dir());
            return env;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop(Duration.ofSeconds(10));
            }
            Files.deleteIfExists(o.dir().resolve(PIDS));
            throw e;
        }
    }

    /**
     * Starts one service of a running stack again, on the same ports and data (after it was killed or stopped, as
     * the fault-campaign tests do to the broker): stops it first if it still runs, and records its new pid.
     */
    public static ServiceProcess restart(final Path dir, final String service, final Duration timeout)
            throws IOException, InterruptedException {
        if (!"kafka".equals(service)) {
            throw new IllegalArgumentException("only the broker can be restarted on its own, not " + service);
        }
        final Path d = dir.toAbsolutePath().normalize();
        final StackEnv env = StackEnv.read(d);
        final List<ServiceProcess> all = new ArrayList<>(readPids(d));
        final int index = java.util.stream.IntStream.range(0, all.size())
                .filter(i -> all.get(i).name().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + service + " in the stack at " + d));
        final ServiceProcess old = all.get(index);
        if (old.belongsTo(d) && !old.stop(Duration.ofSeconds(20))) {
            throw new IllegalStateException("could not stop " + service + " (pid " + old.pid() + ")");
        }
        final String mtls = env.clientSettings().get("KAFKA_MTLS_BOOTSTRAP_SERVERS");
        final ServiceProcess restarted = KafkaService.start(d, portOf(env.kafkaBootstrapServers()),
                KafkaService.controllerPort(d).orElseThrow(), timeout,
                mtls == null ? null : new KafkaService.Tls(StackTls.createOrLoad(d), portOf(mtls)));
        all.set(index, restarted);
        writePids(d, all);
        return restarted;
    }

    /** The stack.env of an earlier stack in {@code dir}, if there is one. */
    private static Optional<StackEnv> previous(final Path dir) {
        if (!Files.isRegularFile(dir.resolve(StackEnv.FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(StackEnv.read(dir));
        } catch (final IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** The port of {@code host:port} or of a URL. */
    static int portOf(final String address) {
        final String hostPort = address.contains("://") ? URI.create(address).getAuthority() : address;
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** Each service of the stack in {@code dir} and whether it is running. */
    public static Map<ServiceProcess, Boolean> status(final Path dir) throws IOException {
        final Map<ServiceProcess, Boolean> out = new java.util.LinkedHashMap<>();
        for (ServiceProcess p : readPids(dir.toAbsolutePath().normalize())) {
            out.put(p, p.belongsTo(dir.toAbsolutePath().normalize()));
        }
        return out;
    }

    /** Stops every service this stack started (by pid, checking each is still ours), newest first. */
    public static List<String> down(final Path dir, final Duration grace) throws IOException {
        final Path d = dir.toAbsolutePath().normalize();
        final List<ServiceProcess> all = readPids(d);
        final List<String> stopped = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            final ServiceProcess p = all.get(i);
            if (p.belongsTo(d)) {
                if (!p.stop(grace)) {
                    throw new IllegalStateException("could not stop " + p.name() + " (pid " + p.pid() + ")");
                }
                stopped.add(p.name());
            }
        }
        Files.deleteIfExists(d.resolve(PIDS));
        return stopped;
    }

    /** The services the stack in {@code dir} started, as its {@code stack.pids} records them; empty if none. */
    public static List<ServiceProcess> readPids(final Path dir) throws IOException {
        final Path file = dir.resolve(PIDS);
        if (!Files.exists(file)) {
            return List.of();
        }
        final List<ServiceProcess> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            final String[] f = line.split("\t");
            if (f.length == 3) {
                out.add(new ServiceProcess(f[0], Long.parseLong(f[1]), Path.of(f[2])));
            }
        }
        return out;
    }

    private static void writePids(final Path dir, final List<ServiceProcess> started) throws IOException {
        final StringBuilder b = new StringBuilder();
        started.forEach(p -> b.append(p.name()).append('\t').append(p.pid()).append('\t').append(p.log()).append('\n'));
        final Path tmp = dir.resolve(PIDS + ".tmp");
        Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(PIDS), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void createBuckets(final StackEnv env, final StackTls tls) {
        final software.amazon.awssdk.http.apache5.Apache5HttpClient.Builder http =
                software.amazon.awssdk.http.apache5.Apache5HttpClient.builder();
        if (tls != null) {
            final javax.net.ssl.TrustManager[] trust = io.sealstream.config.TlsFiles.trusting(
                    io.sealstream.config.TlsFiles.load(tls.caPem(), "PEM", null, "the stack's CA"));
            http.tlsTrustManagersProvider(() -> trust);
        }
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(env.s3Endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClientBuilder(http)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env.s3AccessKey(),
                        env.s3SecretKey())))
                .build()) {
            for (String bucket : Set.of(env.s3Bucket(), env.s3StagingBucket())) {
                try {
                    s3.createBucket(b -> b.bucket(bucket));
                } catch (final BucketAlreadyOwnedByYouException exists) {
                    // a restart of the same stack: fine
                }
            }
        }
    }

    /** Creates the topics that are missing; the compacted ones keep every key's latest entry without time limit. */
    static List<String> createTopics(final String bootstrap, final Map<String, Object> security,
                                     final List<String> topics, final Set<String> compacted,
                                     final int partitions) throws InterruptedException {
        final Map<String, Object> config = new java.util.HashMap<>(security);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(config)) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final List<NewTopic> missing = new ArrayList<>();
            for (final String t : topics) {
                if (!existing.contains(t)) {
                    final NewTopic topic = new NewTopic(t, Optional.of(partitions), Optional.empty());
                    if (compacted.contains(t)) {
                        topic.configs(Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
                    }
                    missing.add(topic);
                }
            }
            admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            return new ArrayList<>(missing.stream().map(NewTopic::name).toList());
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create the pipeline's topics: " + e.getMessage(), e);
        }
    }

    private static String random(final int bytes) {
        final byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String names(final List<ServiceProcess> ps) {
        return String.join(", ", ps.stream().map(p -> p.name() + " pid " + p.pid()).toList());
    }

    private static double secs(final long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
