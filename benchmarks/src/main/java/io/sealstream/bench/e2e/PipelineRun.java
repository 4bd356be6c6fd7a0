package io.sealstream.bench.e2e;

import io.sealstream.bench.e2e.BenchReport.Result;
import io.sealstream.bench.e2e.BenchReport.Workload;
import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.pipeline.Topics;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.stack.StackEnv;
import io.sealstream.store.ObjectLocation;
import java.io.OutputStream;
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
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One measured configuration of the end-to-end benchmark: starts {@code instances} app JVMs with one
 * {@code application.id} and fresh topics, warms them up, sends the backlog and the paced uploads, measures, stops
 * the apps and deletes the topics.
 *
 * <p>CPU per object is read from {@code /proc/PID/stat} (user + system time) of every process involved, over the
 * backlog phase only (from the first send to the last ObjectEncrypted readable), divided by the backlog's size: the
 * app's JVMs together, the broker, S3Proxy and the registry each. It is the figure to compare across changes: rates
 * move with the machine's noise, CPU per object much less.
 */
final class PipelineRun {

    /** What one run measures: the app under test, the workload, and how the app is deployed and tuned. */
    record Spec(String variant, Workload workload, int threads, int partitions, String heap, int instances,
                String store, int commitIntervalMs, boolean profile, String label, String classpath) {

        static Spec of(final String variant, final Workload workload, final int threads, final int partitions) {
            return new Spec(variant, workload, threads, partitions, "1g", 1, "s3", 0, false, variant, null);
        }

        Spec withHeap(final String h) {
            return new Spec(variant, workload, threads, partitions, h, instances, store, commitIntervalMs, profile, label, classpath);
        }

        Spec withInstances(final int n) {
            return new Spec(variant, workload, threads, partitions, heap, n, store, commitIntervalMs, profile, label, classpath);
        }

        Spec withStore(final String s) {
            return new Spec(variant, workload, threads, partitions, heap, instances, s, commitIntervalMs, profile, label, classpath);
        }

        Spec withCommitInterval(final int ms) {
            return new Spec(variant, workload, threads, partitions, heap, instances, store, ms, profile, label, classpath);
        }

        Spec withProfile(final boolean p) {
            return new Spec(variant, workload, threads, partitions, heap, instances, store, commitIntervalMs, p, label, classpath);
        }

        /** The app under test from another build's benchmarks jar (the same BenchApp), shown as {@code label}. */
        Spec fromBuild(final String otherLabel, final String jar) {
            return new Spec(variant, workload, threads, partitions, heap, instances, store, commitIntervalMs, profile,
                    otherLabel, jar);
        }
    }

    private final PipelineBenchmark bench;
    private final StackEnv stack;
    private final Path stackDir;
    private final Path dir;
    private final Path keystore;
    private final String passphrase;
    private final String kek;
    /** Uploads sent before measuring, when set (>= 0) on the command line; else a default per workload. */
    int warmupOverride = -1;

    PipelineRun(final PipelineBenchmark bench, final StackEnv stack, final Path stackDir, final Path dir,
                final Path keystore, final String passphrase, final String kek) {
        this.bench = bench;
        this.stack = stack;
        this.stackDir = stackDir;
        this.dir = dir;
        this.keystore = keystore;
        this.passphrase = passphrase;
        this.kek = kek;
    }

    Result run(final Spec spec) throws Exception {
        final Workload w = spec.workload();
        final String id = UUID.randomUUID().toString().substring(0, 8);
        final Topics topics = new Topics("e2e-up-" + id, "e2e-obj-" + id, "e2e-audit-" + id, "e2e-rot-" + id, "e2e-dlq-" + id);
        // The app creates its topics (the pipeline's and the key lifecycle's) as it does for users.
        final List<String> keyTopics = List.of("e2e-deks-" + id, "e2e-commands-" + id, "e2e-jobs-" + id);
        final Path runDir = Files.createDirectories(dir.resolve("runs").resolve(id));
        final List<Process> apps = new ArrayList<>();
        final AtomicLong maxRss = new AtomicLong();
        try {
            for (int instance = 0; instance < spec.instances(); instance++) {
                apps.add(startApp(spec, id, instance, topics, keyTopics, runDir, maxRss));
            }
            final Map<String, Object> serdeConfig = Map.of("schema.registry.url", stack.schemaRegistryUrl());
            final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
            serde.configure(serdeConfig, false);
            try (KafkaProducer<byte[], byte[]> producer = producer();
                 KafkaConsumer<byte[], byte[]> consumer = consumer(topics.objects())) {
                final Map<String, Long> sentAt = new ConcurrentHashMap<>();
                // Warm-up, not measured: until C2 has compiled the JDK's AES-GCM and the S3 client's request path
                // (seconds on a busy 2-core machine) an app runs far below what a long-running instance sees.
                final int warmup = warmupOverride >= 0 ? warmupOverride
                        : w.staged() ? Math.min(8, w.backlog()) : Math.min(1_000, w.backlog());
                for (int i = 0; i < warmup; i++) {
                    send(producer, serde, topics.uploads(), w, id, "w-" + i, i, sentAt);
                }
                producer.flush();
                awaitObjects(consumer, warmup, null, Duration.ofMinutes(10));
                // Throughput: a backlog as fast as the producer goes; CPU of every process over the same span.
                final ProcessCpu cpu = ProcessCpu.start(apps, BenchProcesses.stackPids(stackDir));
                final Process profiled = spec.profile() ? apps.get(0) : null;
                final Path profile = runDir.resolve("app.jfr");
                if (profiled != null) {
                    BenchProcesses.jcmd(profiled.pid(), "JFR.start", "name=bench", "settings=profile",
                            "filename=" + profile);
                }
                final long t0 = System.nanoTime();
                for (int i = 0; i < w.backlog(); i++) {
                    send(producer, serde, topics.uploads(), w, id, "b-" + i, i, sentAt);
                }
                producer.flush();
                awaitObjects(consumer, w.backlog(), null, Duration.ofMinutes(10));
                final double seconds = (System.nanoTime() - t0) / 1e9;
                final ProcessCpu.PerObject perObject = cpu.perObject(w.backlog());
                if (profiled != null) {
                    BenchProcesses.jcmd(profiled.pid(), "JFR.stop", "name=bench");
                    System.out.println("profile of the backlog phase: " + profile);
                }
                final double rate = w.backlog() / seconds;
                // Latency: half that rate, each event timed from send to readable ObjectEncrypted.
                final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
                if (w.paced() > 0) {
                    paced(producer, consumer, serde, topics, w, id, rate, sentAt, latencies);
                }
                final long kmsCalls = countDekCreated(topics.rotation());
                final List<Double> sorted = latencies.stream().sorted().toList();
                return new Result(spec, rate, rate * w.size() / (1 << 20), BenchReport.percentile(sorted, 0.50),
                        BenchReport.percentile(sorted, 0.99), kmsCalls, maxRss.get() >> 10, perObject);
            }
        } finally {
            for (Process app : apps) {
                app.destroy();
            }
            for (Process app : apps) {
                if (!app.waitFor(60, TimeUnit.SECONDS)) {
                    app.destroyForcibly();
                }
            }
            deleteTopics(id, topics, keyTopics);
        }
    }

    private Process startApp(final Spec spec, final String id, final int instance, final Topics topics,
                             final List<String> keyTopics, final Path runDir, final AtomicLong maxRss) throws Exception {
        final Properties props = new Properties();
        props.putAll(bench.storeConfig());
        if (spec.store().equals("filesystem")) {
            props.put("sealstream.store.type", "filesystem");
            props.put("sealstream.store.filesystem.root", runDir.resolve("objects").toString());
        }
        props.put("bootstrap.servers", stack.kafkaBootstrapServers());
        props.put("schema.registry.url", stack.schemaRegistryUrl());
        // The benchmark stages each object once and announces it many times, across runs and configurations (and
        // the plain-copy baseline reads the same ones), so the staging cleaner must leave them: its DELETE per staged
        // upload is therefore not in these figures.
        props.put("sealstream.staging.cleanup", "keep");
        props.put("application.id", "e2e-" + id);
        props.put("state.dir", runDir.resolve("state-" + instance).toString());
        props.put("num.stream.threads", Integer.toString(spec.threads()));
        props.put("sealstream.topic.uploads", topics.uploads());
        props.put("sealstream.topic.objects", topics.objects());
        props.put("sealstream.topic.audit", topics.audit());
        props.put("sealstream.topic.rotation", topics.rotation());
        props.put("sealstream.topic.dlq", topics.deadLetters());
        props.put("sealstream.topic.deks", keyTopics.get(0));
        props.put("sealstream.topic.commands", keyTopics.get(1));
        props.put("sealstream.topic.jobs", keyTopics.get(2));
        props.put("sealstream.topic.partitions", Integer.toString(spec.partitions()));
        props.put("sealstream.store.bucket", stack.s3Bucket());
        props.put("sealstream.kms.local.keystore", keystore.toString());
        // Instances share the host: their operations endpoints take free ports.
        props.putAll(Map.of("sealstream.keys.default", kek, "sealstream.instance-id", id + "-" + instance,
                "sealstream.ops.port", "0"));
        // The Streams producer tuned as measured for the baseline (~20k records/s exactly-once on one partition).
        props.put("producer.linger.ms", "10");
        props.put("producer.batch.size", Integer.toString(256 * 1024));
        if (spec.commitIntervalMs() > 0) {
            props.put("commit.interval.ms", Integer.toString(spec.commitIntervalMs()));
        }
        final Path config = runDir.resolve("app-" + instance + ".properties");
        try (OutputStream o = Files.newOutputStream(config)) {
            props.store(o, "e2e benchmark run " + id);
        }
        final Path log = runDir.resolve("app-" + instance + ".log");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx" + spec.heap(), "-XX:+UseG1GC"));
        // Further JVM options for the app under test (e.g. JIT settings), from -Dbench.app.jvm-options="...".
        final String extra = System.getProperty("bench.app.jvm-options", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", spec.classpath() == null ? System.getProperty("java.class.path") : spec.classpath(),
                BenchApp.class.getName(), "--config", config.toString(), "--variant", spec.variant()));
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, passphrase);
        final Process app = pb.start();
        final Thread sampler = new Thread(() -> BenchProcesses.sampleRss(app.pid(), maxRss), "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        BenchProcesses.awaitLine(log, "RUNNING", app, Duration.ofMinutes(2));
        return app;
    }

    private void paced(final KafkaProducer<byte[], byte[]> producer, final KafkaConsumer<byte[], byte[]> consumer,
                       final SpecificAvroSerde<ObjectUploaded> serde, final Topics topics, final Workload w,
                       final String id, final double rate, final Map<String, Long> sentAt,
                       final List<Double> latencies) throws InterruptedException {
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

    private void deleteTopics(final String id, final Topics topics, final List<String> keyTopics) {
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
            payload = new StagedPayload(new ObjectLocation(stack.s3StagingBucket(), bench.stagingKey(w.size(), i % count)).toUri(),
                    w.size(), null, null);
        } else {
            final byte[] data = new byte[(int) w.size()];
            new Random(i).nextBytes(data);
            payload = new InlinePayload(ByteBuffer.wrap(data), null);
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
                              final ObjLongConsumer<String> onRecord, final Duration timeout) {
        final SpecificAvroSerde<ObjectEncrypted> serde = new SpecificAvroSerde<>(ObjectEncrypted.class);
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
            final List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            final Map<TopicPartition, Long> end = c.endOffsets(parts);
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
}
