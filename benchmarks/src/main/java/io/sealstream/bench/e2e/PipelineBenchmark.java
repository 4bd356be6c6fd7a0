package io.sealstream.bench.e2e;

import io.sealstream.cli.LogLevels;
import io.sealstream.bench.e2e.BenchReport.Result;
import io.sealstream.bench.e2e.BenchReport.Workload;
import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.pipeline.Topics;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.StackEnv;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end benchmark: the real pipeline on the local stack (Kafka, Apicurio, S3Proxy as processes, started by
 * {@link LocalStack} like {@code sealstream stack up}), the application in its own JVM, measured in one run with
 * encryption and with encryption replaced by a plain copy into the same store.
 *
 * <p>Per run: a backlog of N upload events is sent as fast as the producer can, and throughput is N over the time
 * until the last ObjectEncrypted is readable (read_committed). Then M events are sent at half that rate, and each
 * one's latency is the time from its send to its ObjectEncrypted being readable. The app's resident memory (VmRSS) is
 * sampled every 100 ms; KMS calls are the DEK_CREATED events it published.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sealstream.bench.e2e.PipelineBenchmark [--reps 3] [--quick]
 * </pre>
 */
public final class PipelineBenchmark {

    private static final String PASSPHRASE = "e2e-benchmark-passphrase";
    private static final String KEK = "bench";

    private final Path dir;
    private final StackEnv stack;
    private final Path keystore;
    private final PrintStream out;

    private PipelineBenchmark(final Path dir, final StackEnv stack, final PrintStream out) throws IOException {
        this.dir = dir;
        this.stack = stack;
        this.out = out;
        this.keystore = dir.resolve("keys.p12");
        if (!Files.exists(keystore)) {
            try (LocalKeyStoreKms kms = LocalKeyStoreKms.open(keystore, PASSPHRASE.toCharArray())) {
                kms.createKey(KEK);
            }
        }
    }

    public static void main(final String[] args) throws Exception {
        int reps = 3;
        boolean quick = false;
        boolean smoke = false;
        Set<String> only = Set.of("matrix", "sweep", "memory");
        String workloadFilter = "";
        Path dir = Path.of("benchmarks", "target", "e2e");
        Path stackEnv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--smoke" -> smoke = true;
                case "--dir" -> dir = Path.of(args[++i]);
                case "--stack-env" -> stackEnv = Path.of(args[++i]);
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--workload" -> workloadFilter = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LogLevels.setUnlessChosen("org.apache.kafka", "ERROR");
        Files.createDirectories(dir);
        final Path stackDir = dir.resolve("stack");
        final StackEnv env;
        final boolean ownStack = stackEnv == null;
        if (ownStack) {
            LocalStack.down(stackDir, Duration.ofSeconds(20));
            env = LocalStack.up(new LocalStack.Options(stackDir, LocalStack.defaultArtifacts(), 0, 0, 0, "sealstream",
                    "staging", Topics.defaults().all(), Set.of(), 4, Duration.ofMinutes(3)), System.out);
        } else {
            env = StackEnv.read(stackEnv.getParent());
        }
        final Path results = dir.resolve("results.md");
        try (PrintStream report = new PrintStream(Files.newOutputStream(results), true, StandardCharsets.UTF_8)) {
            final PipelineBenchmark bench = new PipelineBenchmark(dir, env, System.out);
            if (smoke) {
                bench.runSmoke(report);
            } else {
                bench.runAll(reps, quick, only, workloadFilter, report);
            }
        } finally {
            if (ownStack) {
                LocalStack.down(stackDir, Duration.ofSeconds(20));
            }
        }
        System.out.println("results in " + results);
    }

    /**
     * The smoke mode CI runs so that the benchmark cannot rot: every code path of a full run (each variant, an inline
     * and a staged workload, the latency phase, the memory sweep) on tiny workloads, once. Its figures mean nothing.
     */
    private void runSmoke(final PrintStream report) throws Exception {
        final List<Workload> workloads = List.of(
                new Workload("inline 1 KiB", false, 1024, 60, 20),
                new Workload("staged 1 MiB", true, 1L << 20, 3, 2));
        BenchReport.header(report, "Smoke run (tiny workloads, one run each: checks the benchmark works, measures nothing)");
        for (Workload w : workloads) {
            if (w.staged()) {
                stageObjects(w.size(), Math.max(w.backlog(), w.paced()));
            }
            final Result plain = run("plain", w, 1, 2);
            final Result enc = run("encrypt", w, 1, 2);
            BenchReport.row(report, plain, null);
            BenchReport.row(report, enc, plain);
            if (enc.kmsCalls() < 1) {
                throw new IllegalStateException("the encrypting run published no DEK_CREATED event");
            }
        }
        stageObjects(4L << 20, 1);
        BenchReport.row(report, run("encrypt", new Workload("staged 4 MiB", true, 4L << 20, 1, 0), 1, 1, "256m"), null);
    }

    private void runAll(final int reps, final boolean quick, final Set<String> only, final String workloadFilter,
                        final PrintStream report) throws Exception {
        final int scale = quick ? 5 : 1;
        // Sized so that each run takes 10-20 s on our 2-core machines, where the store's per-object cost dominates.
        final List<Workload> workloads = List.of(
                new Workload("inline 1 KiB", false, 1024, 1_500 / scale, 300 / scale),
                new Workload("inline 64 KiB", false, 64 * 1024, 600 / scale, 150 / scale),
                new Workload("staged 16 MiB", true, 16L << 20, 24 / Math.min(scale, 3), 6 / Math.min(scale, 2)));
        for (Workload w : workloads) {
            if (w.staged()) {
                stageObjects(w.size(), Math.max(w.backlog(), w.paced()));
            }
        }
        if (only.contains("matrix")) {
        BenchReport.header(report, "Encryption against a plain copy (2 stream threads, 4 partitions; medians of " + reps + " runs)");
        for (Workload w : workloads.stream().filter(x -> x.name().contains(workloadFilter)).toList()) {
            final Map<String, List<Result>> byVariant = new HashMap<>();
            for (int r = 0; r < reps; r++) {
                for (String variant : List.of("plain", "encrypt")) {
                    byVariant.computeIfAbsent(variant, v -> new ArrayList<>()).add(run(variant, w, 2, 4));
                }
            }
            final Result plain = BenchReport.median(byVariant.get("plain"));
            final Result enc = BenchReport.median(byVariant.get("encrypt"));
            BenchReport.row(report, plain, null);
            BenchReport.row(report, enc, plain);
        }
        }
        if (!only.contains("sweep")) {
            memorySweep(quick, only, report);
            return;
        }
        final String storeOnly = storeOnlyBaseline(quick ? 500 : 2000);
        report.println(storeOnly);
        System.out.println(storeOnly);
        BenchReport.header(report, "Throughput against stream threads and partitions (inline 1 KiB; one run each)");
        final Workload small = workloads.get(0);
        for (int[] tp : new int[][] {{1, 1}, {1, 8}, {2, 8}, {4, 8}, {8, 8}}) {
            final Result plain = run("plain", small, tp[0], tp[1]);
            final Result enc = run("encrypt", small, tp[0], tp[1]);
            BenchReport.row(report, plain, null);
            BenchReport.row(report, enc, plain);
        }
        memorySweep(quick, only, report);
    }

    private void memorySweep(final boolean quick, final Set<String> only, final PrintStream report) throws Exception {
        if (!only.contains("memory")) {
            return;
        }
        // A 256 MiB heap cap, so that resident memory shows what the app needs, not how far G1 chose to grow.
        BenchReport.header(report, "Resident memory against object size (staged, encrypt, 1 stream thread, -Xmx256m)");
        for (long size : quick ? new long[] {16L << 20, 256L << 20} : new long[] {16L << 20, 256L << 20, 1L << 30}) {
            stageObjects(size, 1);
            BenchReport.row(report, run("encrypt", new Workload("staged " + human(size), true, size, 1, 0), 1, 1, "256m"), null);
        }
    }

    /**
     * What the store alone allows: 1 KiB PUTs through the same S3 client, from 1, 2, 4 and 8 threads. Every upload
     * costs one such PUT, so this bounds the pipeline's objects/s whatever the encryption costs.
     */
    private String storeOnlyBaseline(final int perThread) throws Exception {
        final StringBuilder b = new StringBuilder("\nStore alone (S3Proxy, 1 KiB PutObject, no Kafka):");
        try (ObjectStore store = ObjectStores.fromConfig(storeConfig())) {
            for (int threads : new int[] {1, 2, 4, 8}) {
                final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                final byte[] data = new byte[1024];
                final long t0 = System.nanoTime();
                final List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            store.put(new ObjectLocation(stack.s3Bucket(), "store-only/" + threads + "/" + thread + "/" + i),
                                    Map.of(), o -> o.write(data));
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get();
                }
                pool.shutdown();
                b.append(String.format(Locale.ROOT, " %d thread%s %.0f/s;", threads, threads == 1 ? "" : "s",
                        threads * perThread / ((System.nanoTime() - t0) / 1e9)));
            }
        }
        return b.toString();
    }

    private String stagingKey(final long size, final int i) {
        return "bench/" + size + "/" + i;
    }

    private final Set<String> staged = ConcurrentHashMap.newKeySet();

    private void stageObjects(final long size, final int count) throws IOException {
        try (ObjectStore store = ObjectStores.fromConfig(storeConfig())) {
            for (int i = 0; i < count; i++) {
                final ObjectLocation at = new ObjectLocation(stack.s3StagingBucket(), stagingKey(size, i));
                if (staged.add(at.toUri())) {
                    final long seed = size * 31 + i;
                    store.put(at, Map.of(), sink -> generate(sink, size, seed));
                }
            }
        }
    }

    private Map<String, String> storeConfig() {
        return Map.of("sealstream.store.type", "s3", "sealstream.store.s3.endpoint", stack.s3Endpoint(),
                "sealstream.store.s3.access-key", stack.s3AccessKey(), "sealstream.store.s3.secret-key", stack.s3SecretKey(),
                "sealstream.store.s3.path-style", "true");
    }

    private Result run(final String variant, final Workload w, final int threads, final int partitions) throws Exception {
        return run(variant, w, threads, partitions, "1g");
    }

    private Result run(final String variant, final Workload w, final int threads, final int partitions, final String heap)
            throws Exception {
        final String id = UUID.randomUUID().toString().substring(0, 8);
        final Topics topics = new Topics("e2e-up-" + id, "e2e-obj-" + id, "e2e-audit-" + id, "e2e-rot-" + id, "e2e-dlq-" + id);
        // The app creates its topics (the pipeline's and the key lifecycle's) as it does for users.
        final List<String> keyTopics = List.of("e2e-deks-" + id, "e2e-commands-" + id, "e2e-jobs-" + id);
        final Path runDir = Files.createDirectories(dir.resolve("runs").resolve(id));
        final Properties props = new Properties();
        props.putAll(storeConfig());
        props.put("bootstrap.servers", stack.kafkaBootstrapServers());
        props.put("schema.registry.url", stack.schemaRegistryUrl());
        props.put("application.id", "e2e-" + id);
        props.put("state.dir", runDir.resolve("state").toString());
        props.put("num.stream.threads", Integer.toString(threads));
        props.put("sealstream.topic.uploads", topics.uploads());
        props.put("sealstream.topic.objects", topics.objects());
        props.put("sealstream.topic.audit", topics.audit());
        props.put("sealstream.topic.rotation", topics.rotation());
        props.put("sealstream.topic.dlq", topics.deadLetters());
        props.put("sealstream.topic.deks", keyTopics.get(0));
        props.put("sealstream.topic.commands", keyTopics.get(1));
        props.put("sealstream.topic.jobs", keyTopics.get(2));
        props.put("sealstream.topic.partitions", Integer.toString(partitions));
        props.put("sealstream.store.bucket", stack.s3Bucket());
        props.put("sealstream.kms.local.keystore", keystore.toString());
        // Instances share the host: their operations endpoints take free ports.
        props.putAll(Map.of("sealstream.keys.default", KEK, "sealstream.instance-id", id, "sealstream.ops.port", "0"));
        // The Streams producer tuned as measured for the baseline (~20k records/s exactly-once on one partition).
        props.put("producer.linger.ms", "10");
        props.put("producer.batch.size", Integer.toString(256 * 1024));
        final Path config = runDir.resolve("app.properties");
        try (OutputStream o = Files.newOutputStream(config)) {
            props.store(o, "e2e benchmark run " + id);
        }
        final Path log = runDir.resolve("app.log");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), BenchApp.class.getName(), "--config", config.toString(),
                "--variant", variant).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, PASSPHRASE);
        final Process app = pb.start();
        final AtomicLong maxRss = new AtomicLong();
        final Thread sampler = new Thread(() -> BenchProcesses.sampleRss(app.pid(), maxRss), "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            BenchProcesses.awaitLine(log, "RUNNING", app, Duration.ofMinutes(2));
            final Map<String, Object> serdeConfig = Map.of("schema.registry.url", stack.schemaRegistryUrl());
            final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
            serde.configure(serdeConfig, false);
            try (KafkaProducer<byte[], byte[]> producer = producer();
                 KafkaConsumer<byte[], byte[]> consumer = consumer(topics.objects())) {
                final Map<String, Long> sentAt = new ConcurrentHashMap<>();
                // Warm-up, not measured: until C2 has compiled the JDK's AES-GCM (seconds on a busy 2-core machine)
                // encryption runs at tens of MiB/s, which a long-running instance never sees.
                final int warmup = w.staged() ? Math.min(8, w.backlog()) : Math.min(300, w.backlog());
                for (int i = 0; i < warmup; i++) {
                    send(producer, serde, topics.uploads(), w, id, "w-" + i, i, sentAt);
                }
                producer.flush();
                awaitObjects(consumer, warmup, null, Duration.ofMinutes(10));
                // Throughput: a backlog as fast as the producer goes.
                final long t0 = System.nanoTime();
                for (int i = 0; i < w.backlog(); i++) {
                    send(producer, serde, topics.uploads(), w, id, "b-" + i, i, sentAt);
                }
                producer.flush();
                awaitObjects(consumer, w.backlog(), null, Duration.ofMinutes(10));
                final double seconds = (System.nanoTime() - t0) / 1e9;
                final double rate = w.backlog() / seconds;
                // Latency: half that rate, each event timed from send to readable ObjectEncrypted.
                final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
                if (w.paced() > 0) {
                    final long intervalNanos = (long) (1e9 / Math.max(1, rate / 2));
                    final long start = System.nanoTime();
                    final Thread reader = new Thread(() -> awaitObjects(consumer, w.paced(), (eventId, at) -> {
                        final Long sent = sentAt.get(eventId);
                        if (sent != null) {
                            latencies.add((at - sent) / 1e6);
                        }
                    }, Duration.ofMinutes(10)), "latency-reader");
                    reader.start();
                    for (int i = 0; i < w.paced(); i++) {
                        final long due = start + i * intervalNanos;
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait();
                            if (due - System.nanoTime() > 2_000_000) {
                                Thread.sleep(1);
                            }
                        }
                        send(producer, serde, topics.uploads(), w, id, "p-" + i, w.backlog() + i, sentAt);
                        producer.flush();
                    }
                    reader.join();
                }
                final long kmsCalls = countDekCreated(topics.rotation());
                final List<Double> sorted = latencies.stream().sorted().toList();
                return new Result(variant, w, threads, partitions, rate, rate * w.size() / (1 << 20),
                        BenchReport.percentile(sorted, 0.50), BenchReport.percentile(sorted, 0.99), kmsCalls, maxRss.get() >> 10);
            }
        } finally {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
            // A single broker slows down as partitions pile up; every run leaves the broker as it found it.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()))) {
                final List<String> mine = new ArrayList<>(topics.all());
                mine.addAll(keyTopics);
                admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .filter(t -> t.startsWith("e2e-" + id + "-")).forEach(mine::add);
                admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
            } catch (final Exception e) {
                System.err.println("could not delete the run's topics: " + e.getMessage());
            }
        }
    }

    /**
     * Event ids and object keys are unique per run: a repeated id on an existing destination would be recognised as a
     * replay and reused instead of written, which is right for the pipeline and wrong for a benchmark.
     */
    private void send(final KafkaProducer<byte[], byte[]> producer, final SpecificAvroSerde<ObjectUploaded> serde,
                      final String topic, final Workload w, final String runId, final String event, final int i,
                      final Map<String, Long> sentAt) {
        final String eventId = runId + "-" + event;
        final Object payload;
        if (w.staged()) {
            final int count = Math.max(w.backlog(), w.paced());
            payload = new StagedPayload(new ObjectLocation(stack.s3StagingBucket(), stagingKey(w.size(), i % count)).toUri(),
                    w.size(), null);
        } else {
            final byte[] data = new byte[(int) w.size()];
            new Random(i).nextBytes(data);
            payload = new InlinePayload(ByteBuffer.wrap(data));
        }
        final String key = runId + "/obj-" + i;
        final ObjectUploaded u = ObjectUploaded.newBuilder().setEventId(eventId).setEventTime(Instant.now())
                .setTenant("bench").setBucket("b").setObjectKey(key).setUploader("bench").setPayload(payload).build();
        sentAt.put(eventId, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, ("bench/b/" + key).getBytes(StandardCharsets.UTF_8),
                serde.serializer().serialize(topic, u)));
    }

    /** Reads ObjectEncrypted records (only their event ids matter) until {@code count} were seen. */
    private void awaitObjects(final KafkaConsumer<byte[], byte[]> consumer, final int count,
                              final java.util.function.ObjLongConsumer<String> onRecord, final Duration timeout) {
        final SpecificAvroSerde<io.sealstream.events.ObjectEncrypted> serde =
                new SpecificAvroSerde<>(io.sealstream.events.ObjectEncrypted.class);
        serde.configure(Map.of("schema.registry.url", stack.schemaRegistryUrl()), false);
        final long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (seen < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out with " + seen + "/" + count + " objects");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                final long now = System.nanoTime();
                seen++;
                if (onRecord != null) {
                    onRecord.accept(serde.deserializer().deserialize(r.topic(), r.headers(), r.value()).getEventId(), now);
                }
            }
        }
    }

    /** DEK_CREATED events on the run's rotation topic: one per KMS GenerateDataKey call. */
    private long countDekCreated(final String topic) {
        final SpecificAvroSerde<RotationEvent> serde = new SpecificAvroSerde<>(RotationEvent.class);
        serde.configure(Map.of("schema.registry.url", stack.schemaRegistryUrl()), false);
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            final Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (serde.deserializer().deserialize(r.topic(), r.headers(), r.value()).getKind() == RotationKind.DEK_CREATED) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        final KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static String human(final long size) {
        return size >= 1L << 30 ? (size >> 30) + " GiB" : (size >> 20) + " MiB";
    }

    /** Cheap pseudo-random bytes, generated while streaming. */
    private static void generate(final OutputStream out, final long size, final long seed) throws IOException {
        io.sealstream.app.GeneratedContent.write(out, size, seed | 1, null);
    }
}
