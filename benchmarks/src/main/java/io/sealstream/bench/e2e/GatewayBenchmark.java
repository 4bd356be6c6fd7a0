package io.sealstream.bench.e2e;

import io.sealstream.audit.AuditLog;
import io.sealstream.envelope.Preset;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.gateway.GatewayConfig;
import io.sealstream.gateway.S3Gateway;
import io.sealstream.keys.DekRecords;
import io.sealstream.keys.DekRegistry;
import io.sealstream.keys.RegisteringKeyManagementService;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.KeyPolicy;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.S3ProxyService;
import io.sealstream.stack.ServiceProcess;
import io.sealstream.store.S3ObjectStore;
import io.sealstream.store.S3StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * The S3 read gateway against a direct GET of the ciphertext from the same S3 server (S3Proxy, a process of its own),
 * with the same client (AWS SDK for Java v2) in one run, alternating: MiB/s and the ratio, CPU per MiB of this JVM
 * (client plus gateway) and of S3Proxy; then time to first byte of a last-byte range of the largest object against a
 * whole-object GET. The audit log here only counts events (the Kafka one sends each without waiting and the read
 * awaits it before its last bytes: one acknowledgement per GET, measured in docs/PERFORMANCE.md, "Reads").
 *
 * <pre>java -Dsealstream.stack.home=devstack/target/stack -cp benchmarks/target/benchmarks.jar \
 *     io.sealstream.bench.e2e.GatewayBenchmark [--smoke] [--reps N] [--sizes 1m,64m,1g]</pre>
 */
public final class GatewayBenchmark {

    private static final String STORE_BUCKET = "bench";
    private static final String KEY_ID = "AKIDBENCH";
    private static final String SECRET = "bench-secret-0123456789";

    private GatewayBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        int reps = 3;
        String sizes = "1m,64m,1g";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> {
                    reps = 1;
                    sizes = "1m,8m";
                }
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--sizes" -> sizes = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Path dir = Files.createTempDirectory("sealstream-gateway-bench");
        final int s3Port = freePort();
        final ServiceProcess s3proxy = S3ProxyService.start(dir, LocalStack.defaultArtifacts().resolve("s3proxy.jar"),
                s3Port, "bench-access", "bench-secret-key", Duration.ofSeconds(90));
        final URI s3Endpoint = URI.create(S3ProxyService.endpoint(s3Port));
        try (S3Client direct = client(s3Endpoint, "bench-access", "bench-secret-key")) {
            direct.createBucket(b -> b.bucket(STORE_BUCKET));
        }
        final InMemoryRegistry registry = new InMemoryRegistry();
        try (LocalKeyStoreKms local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "bench-passphrase".toCharArray());
             S3ObjectStore store = new S3ObjectStore(S3StoreConfig.forEndpoint(s3Endpoint, "bench-access", "bench-secret-key"))) {
            local.createKey("kek-bench");
            final KeyManagementService kms = new RegisteringKeyManagementService(local, registry, "bench", Clock.systemUTC());
            final AuditedObjectReader reader = new AuditedObjectReader(store, registry, kms, registry, "bench/gateway",
                    Clock.systemUTC(), true, KeyPolicy.of("kek-bench"));
            final GatewayConfig config = GatewayConfig.fromConfig(Map.of(
                    "sealstream.gateway.listen", "127.0.0.1:0",
                    "sealstream.gateway.bucket.objects", "bench/objects",
                    "sealstream.gateway.principal.bench.access-key-id", KEY_ID,
                    "sealstream.gateway.principal.bench.secret-access-key", SECRET,
                    "sealstream.gateway.principal.bench.grants", "bench/*"));
            final List<Long> sizeList = new ArrayList<>();
            for (final String s : sizes.split(",")) {
                sizeList.add(parseSize(s));
            }
            for (final long size : sizeList) {
                final ObjectIdentity identity = new ObjectIdentity("bench", "objects", name(size));
                try (DataKey dek = kms.generateDataKey("kek-bench", identity.keyScope())) {
                    new EncryptedObjectStore(store).write(identity.destination(STORE_BUCKET), identity, dek,
                            Preset.DEFAULT, "bench-" + size, size, null, null,
                            out -> new io.sealstream.bench.e2e.PatternSource(size).transferTo(out), null);
                }
            }
            try (S3Gateway gateway = S3Gateway.start(config, store, STORE_BUCKET, reader, registry::refresh, Clock.systemUTC());
                 S3Client viaGateway = client(gateway.endpoint(), KEY_ID, SECRET);
                 S3Client direct = client(s3Endpoint, "bench-access", "bench-secret-key")) {
                // one untimed pass each to warm the JIT on both paths
                for (final long size : sizeList.subList(0, 1)) {
                    get(direct, STORE_BUCKET, "bench/objects/" + name(size), null, s3proxy.pid());
                    get(viaGateway, "objects", name(size), null, s3proxy.pid());
                }
                System.out.println();
                System.out.println("| object | direct GET MiB/s | gateway GET MiB/s | gateway / direct | this JVM CPU ms/MiB direct / gateway | S3Proxy CPU ms/MiB direct / gateway |");
                System.out.println("|---|---|---|---|---|---|");
                for (final long size : sizeList) {
                    // Small objects get more repetitions (at least 64 MiB per path), so the CPU totals, read in
                    // 10 ms ticks, mean something; the rate is the median GET, the CPU the total over all of them.
                    final int n = (int) Math.max(reps, Math.min(200, (64L << 20) / size));
                    final List<Sample> d = new ArrayList<>();
                    final List<Sample> g = new ArrayList<>();
                    for (int r = 0; r < n; r++) {
                        d.add(get(direct, STORE_BUCKET, "bench/objects/" + name(size), null, s3proxy.pid()));
                        g.add(get(viaGateway, "objects", name(size), null, s3proxy.pid()));
                    }
                    final Sample dm = Sample.median(d);
                    final Sample gm = Sample.median(g);
                    final Sample dt = Sample.total(d);
                    final Sample gt = Sample.total(g);
                    System.out.printf("| %s (%d GETs each) | %.0f | %.0f | **%.2f** | %.2f / %.2f | %.2f / %.2f |%n",
                            name(size), n, dm.mibPerSecond(), gm.mibPerSecond(), gm.mibPerSecond() / dm.mibPerSecond(),
                            dt.jvmCpuMsPerMib(), gt.jvmCpuMsPerMib(), dt.proxyCpuMsPerMib(), gt.proxyCpuMsPerMib());
                }
                System.out.println();
                System.out.println("| S3Proxy alone, median of 9 | HEAD ms | 1-byte range GET ms | whole GET ms |");
                System.out.println("|---|---|---|---|");
                for (final long size : sizeList) {
                    final String key = "bench/objects/" + name(size);
                    final List<Double> heads = new ArrayList<>();
                    final List<Double> ranges = new ArrayList<>();
                    final List<Double> wholes = new ArrayList<>();
                    for (int r = 0; r < 9; r++) {
                        final long t0 = System.nanoTime();
                        direct.headObject(b -> b.bucket(STORE_BUCKET).key(key));
                        heads.add((System.nanoTime() - t0) / 1e6);
                        ranges.add(get(direct, STORE_BUCKET, key, "bytes=0-0", s3proxy.pid()).totalMs());
                        wholes.add(get(direct, STORE_BUCKET, key, null, s3proxy.pid()).totalMs());
                    }
                    System.out.printf("| %s | %.1f | %.1f | %.1f |%n", name(size), medianOf(heads), medianOf(ranges),
                            medianOf(wholes));
                }
                final long largest = sizeList.stream().max(Comparator.naturalOrder()).orElseThrow();
                final List<Sample> whole = new ArrayList<>();
                final List<Sample> lastByte = new ArrayList<>();
                for (int r = 0; r < Math.max(reps, 3); r++) {
                    whole.add(get(viaGateway, "objects", name(largest), null, s3proxy.pid()));
                    lastByte.add(get(viaGateway, "objects", name(largest), "bytes=-1", s3proxy.pid()));
                }
                System.out.println();
                System.out.println("| through the gateway, " + name(largest) + " | time to first byte ms | total ms | bytes |");
                System.out.println("|---|---|---|---|");
                System.out.printf("| whole object | %.1f | %.0f | %d |%n", Sample.median(whole).ttfbMs(),
                        Sample.median(whole).totalMs(), Sample.median(whole).bytes());
                System.out.printf("| last-byte range (`bytes=-1`) | %.1f | %.1f | %d |%n", Sample.median(lastByte).ttfbMs(),
                        Sample.median(lastByte).totalMs(), Sample.median(lastByte).bytes());
                System.out.printf("%naudit events recorded: %d (one per GET)%n", registry.audits.get());
            }
        } finally {
            s3proxy.stop(Duration.ofSeconds(5));
            deleteRecursively(dir);
        }
    }

    /** One GET: wall time, time to first byte, CPU of this JVM and of S3Proxy. */
    private record Sample(long bytes, double totalMs, double ttfbMs, double jvmCpuMs, double proxyCpuMs) {
        double mibPerSecond() {
            return bytes / 1048576.0 / (totalMs / 1000);
        }

        double jvmCpuMsPerMib() {
            return jvmCpuMs / (bytes / 1048576.0);
        }

        double proxyCpuMsPerMib() {
            return proxyCpuMs / (bytes / 1048576.0);
        }

        static Sample total(final List<Sample> samples) {
            return new Sample(samples.stream().mapToLong(Sample::bytes).sum(),
                    samples.stream().mapToDouble(Sample::totalMs).sum(), Double.NaN,
                    samples.stream().mapToDouble(Sample::jvmCpuMs).sum(),
                    samples.stream().mapToDouble(Sample::proxyCpuMs).sum());
        }

        static Sample median(final List<Sample> samples) {
            final List<Sample> byTime = new ArrayList<>(samples);
            byTime.sort(Comparator.comparingDouble(Sample::totalMs));
            return byTime.get(byTime.size() / 2);
        }
    }

    private static Sample get(final S3Client client, final String bucket, final String key, final String range,
                              final long proxyPid) throws IOException {
        final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final long cpu0 = os.getProcessCpuTime();
        final long proxy0 = ProcessCpu.nanos(proxyPid);
        final long t0 = System.nanoTime();
        long ttfb = -1;
        long bytes = 0;
        final byte[] buffer = new byte[1 << 17];
        try (InputStream in = client.getObject(GetObjectRequest.builder().bucket(bucket).key(key).range(range).build())) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (ttfb < 0) {
                    ttfb = System.nanoTime() - t0;
                }
                bytes += n;
            }
        }
        final long total = System.nanoTime() - t0;
        return new Sample(bytes, total / 1e6, ttfb / 1e6, (os.getProcessCpuTime() - cpu0) / 1e6,
                (ProcessCpu.nanos(proxyPid) - proxy0) / 1e6);
    }

    private static double medianOf(final List<Double> values) {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    private static S3Client client(final URI endpoint, final String key, final String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    private static String name(final long size) {
        return size >= 1L << 30 && size % (1L << 30) == 0 ? (size >> 30) + " GiB"
                : size >= 1L << 20 && size % (1L << 20) == 0 ? (size >> 20) + " MiB" : size + " B";
    }

    private static long parseSize(final String s) {
        final String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        final long unit = t.endsWith("g") ? 1L << 30 : t.endsWith("m") ? 1L << 20 : t.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(final Path root) throws IOException {
        if (Files.exists(root)) {
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A DEK registry and an audit log in memory: the benchmark measures reads, not Kafka. */
    private static final class InMemoryRegistry implements DekRegistry, AuditLog {
        private final Map<String, DataKeyRecord> entries = new ConcurrentHashMap<>();
        final AtomicLong audits = new AtomicLong();

        @Override
        public void registerCreated(final WrappedDataKey key, final Instant createdAt, final String service) {
            entries.put(key.dekId(), DekRecords.created(key, createdAt, service));
        }

        @Override
        public void markRetired(final String dekId, final KekRef createdKek, final Instant retiredAt, final String service) {
        }

        @Override
        public void refresh() {
        }

        @Override
        public Optional<DataKeyRecord> find(final String dekId) {
            return Optional.ofNullable(entries.get(dekId));
        }

        @Override
        public List<DataKeyRecord> entries() {
            return new ArrayList<>(entries.values());
        }

        @Override
        public void record(final AuditEvent event) {
            audits.incrementAndGet();
        }

        @Override
        public void close() {
        }
    }
}
