package io.sealstream.pipeline;

import io.sealstream.objects.ObjectIdentity;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.audit.kafka.AuditTopicReader;
import io.sealstream.audit.AuditTrailVerifier;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.stack.StackEnv;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One fault-campaign run on the local stack: the app as separate {@code sealstream run} processes, a steady stream of
 * uploads (each with a unique plaintext marker, to an input partition chosen by the test), and watchers that note when
 * each upload's ObjectEncrypted and ENCRYPT audit event become visible to a read_committed reader. From those it
 * measures recovery after a fault, and at the end it checks what a user relies on: every upload encrypted exactly
 * once and audited exactly once (nothing lost, nothing duplicated), every object decrypting to its plaintext, and the
 * audit chain verifying.
 */
final class FaultCampaign implements AutoCloseable {

    static final int PARTITIONS = 4;

    final PipelineFixture f;
    final StackEnv env;
    private final Path dir;
    private final Path configFile;
    private final List<App> apps = new ArrayList<>();

    /** Upload event id → when it was sent and to which input partition. */
    private final Map<String, long[]> sent = new ConcurrentHashMap<>();
    private final Map<String, byte[]> expectedSha = new ConcurrentHashMap<>();
    private final Map<String, Visible> objects = new ConcurrentHashMap<>();
    private final Map<String, Visible> audits = new ConcurrentHashMap<>();
    private final AtomicInteger objectRecords = new AtomicInteger();
    private final AtomicInteger auditSuccessRecords = new AtomicInteger();
    private final AtomicBoolean watching = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile Thread traffic;
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile Throwable trafficFailure;
    private SpecificAvroSerde<io.sealstream.events.ObjectUploaded> uploadSerde;

    /** Seconds until uploads (ObjectEncrypted) and audit events were committed again after a fault. */
    record Recovery(double uploads, double audit) {
        double worst() {
            return Math.max(uploads, audit);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "uploads %.1f s, audit %.1f s", uploads, audit);
        }
    }

    /** When a record first became visible, on which output partition, and how many times it was seen. */
    record Visible(long at, int partition, AtomicInteger count) {
    }

    /** A {@code sealstream run} process. */
    record App(String name, Process process, Path log) {
        boolean alive() {
            return process.isAlive();
        }
    }

    FaultCampaign(final Path dir, final StackEnv env, final Map<String, String> extraConfig) throws IOException {
        this.dir = dir;
        this.env = env;
        this.f = new PipelineFixture(dir, env.kafkaBootstrapServers(), env.schemaRegistryUrl(), env.s3Endpoint(),
                env.s3AccessKey(), env.s3SecretKey());
        f.config.put("sealstream.topic.partitions", Integer.toString(PARTITIONS));
        f.config.put("num.stream.threads", "1");
        f.config.remove("sealstream.instance-id");
        f.config.putAll(extraConfig);
        this.configFile = dir.resolve("campaign.properties");
        final Properties props = new Properties();
        props.putAll(f.config);
        try (OutputStream out = Files.newOutputStream(configFile)) {
            props.store(out, "fault campaign");
        }
    }

    // ------------------------------------------------------------------------------------------- the app

    /** Starts an instance with its own state directory and instance id, and waits until it is RUNNING. */
    App start(final String name) throws Exception {
        final App app = launch(name);
        awaitLog(app, "-> RUNNING", Duration.ofMinutes(2));
        return app;
    }

    /**
     * Starts an instance and waits only until its pipeline has started: with a dependency down it may not reach
     * RUNNING until the dependency is back (its thread waits on the first record).
     */
    App launch(final String name) throws Exception {
        final Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
        final List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", System.getProperty("sealstream.jar"), "run", "--config", configFile.toString());
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, PipelineFixture.PASSPHRASE);
        pb.environment().put("SEALSTREAM_CONFIG_STATE_DIR", dir.resolve("state-" + name).toString());
        pb.environment().put("SEALSTREAM_CONFIG_SEALSTREAM_INSTANCE__ID", name);
        final App app = new App(name, pb.start(), log);
        app.process().getOutputStream().close();
        apps.add(app);
        awaitLog(app, "CREATED -> REBALANCING", Duration.ofMinutes(2));
        return app;
    }

    /**
     * SIGKILL at a moment the instance has a transaction open (one of its stream threads has sent records it has not
     * committed), as a crash mid-work would: returns the time of the kill. Its process id, which names its
     * transactional ids, is read from its state directory.
     */
    long killInsideTransaction(final App app) throws Exception {
        final String prefix = transactionalIdPrefix(app);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", f.config.get("bootstrap.servers")))) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                final boolean open = admin.listTransactions(new org.apache.kafka.clients.admin.ListTransactionsOptions()
                                .filterStates(List.of(org.apache.kafka.clients.admin.TransactionState.ONGOING)))
                        .all().get(10, TimeUnit.SECONDS).stream().anyMatch(t -> t.transactionalId().startsWith(prefix));
                if (open) {
                    return kill(app);
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError(app.name() + " never had a transaction open");
    }

    /** {@code <application.id>-<process id>-}: how the instance's stream threads' transactional ids begin. */
    String transactionalIdPrefix(final App app) throws IOException {
        final String processFile = Files.readString(dir.resolve("state-" + app.name()).resolve(f.config.get("application.id"))
                .resolve("kafka-streams-process-metadata"), StandardCharsets.UTF_8);
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"processId\"\\s*:\\s*\"([0-9a-f-]{36})\"")
                .matcher(processFile);
        assertThat(m.find()).as("process id in " + processFile).isTrue();
        return f.config.get("application.id") + "-" + m.group(1) + "-";
    }

    /** SIGKILL: no shutdown hook, no LeaveGroup, transactions left open. Returns the time of the kill. */
    long kill(final App app) throws InterruptedException {
        final long at = System.currentTimeMillis();
        app.process().destroyForcibly();
        assertThat(app.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        return at;
    }

    /** Waits until a line of the app's log contains {@code text}; fails early if the app dies. */
    void awaitLog(final App app, final String text, final Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(app.log()) && Files.readString(app.log(), StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (!app.alive()) {
                throw new AssertionError(app.name() + " exited (" + app.process().exitValue() + ") before logging '"
                        + text + "':\n" + io.sealstream.stack.ServiceProcess.tail(app.log(), 60));
            }
            Thread.sleep(100);
        }
        throw new AssertionError(app.name() + " did not log '" + text + "' within " + timeout + ":\n" + io.sealstream.stack.ServiceProcess.tail(app.log(), 60));
    }

    /** The times (epoch ms) of the app's log lines containing every one of {@code texts}, from their ISO-8601 prefixes. */
    static List<Long> logTimes(final App app, final String... texts) throws IOException {
        final List<Long> times = new ArrayList<>();
        for (final String line : Files.readAllLines(app.log(), StandardCharsets.UTF_8)) {
            if (Arrays.stream(texts).allMatch(line::contains)) {
                final String stamp = line.substring(0, line.indexOf(' '));
                times.add(OffsetDateTime.parse(stamp).toInstant().toEpochMilli());
            }
        }
        return times;
    }

    // ------------------------------------------------------------------------------------------- traffic

    /** Starts the watchers of the objects and audit topics. */
    void startWatching() {
        for (final String topic : List.of(f.topics.objects(), f.topics.audit())) {
            final Thread t = new Thread(() -> watch(topic), "watch-" + topic);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** Starts a steady stream of {@code perSecond} inline uploads, round robin over the input partitions. */
    void startTraffic(final int perSecond) {
        sending.set(true);
        traffic = new Thread(() -> send(perSecond), "campaign-traffic");
        traffic.setDaemon(true);
        traffic.start();
    }

    void stopTraffic() throws InterruptedException {
        sending.set(false);
        traffic.join(30_000);
        if (trafficFailure != null) {
            throw new AssertionError("the upload traffic failed", trafficFailure);
        }
    }

    int sentCount() {
        return sent.size();
    }

    /** Sends one upload now (outside the steady stream), e.g. a normal upload right after hostile records. */
    void sendOne(final KafkaProducer<byte[], byte[]> producer, final int partition) {
        final int i = sequence.incrementAndGet();
        final String eventId = "campaign-" + f.id + "-" + i;
        final byte[] data = plaintext(i);
        expectedSha.put("obj-" + i, PipelineFixture.sha256().digest(data));
        final var upload = PipelineFixture.upload(eventId, "acme", "obj-" + i, PipelineFixture.inline(data));
        sent.put(eventId, new long[] {System.currentTimeMillis(), partition});
        synchronized (this) {
            if (uploadSerde == null) {
                uploadSerde = f.serde(io.sealstream.events.ObjectUploaded.class);
            }
        }
        producer.send(new ProducerRecord<>(f.topics.uploads(), partition,
                ("acme/it/obj-" + i).getBytes(StandardCharsets.UTF_8),
                uploadSerde.serializer().serialize(f.topics.uploads(), upload)));
    }

    private void send(final int perSecond) {
        try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
            final long interval = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            int n = 0;
            while (sending.get()) {
                sendOne(producer, n++ % PARTITIONS);
                next += interval;
                final long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            producer.flush();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final Throwable t) {
            trafficFailure = t;
            t.printStackTrace();
        }
    }

    /** 512 bytes: a marker that names the upload, then random bytes. */
    private byte[] plaintext(final int i) {
        final byte[] data = new byte[512];
        new Random(i).nextBytes(data);
        final byte[] marker = ("PLAINTEXT-MARKER-" + f.id + "-" + i + "-").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(marker, 0, data, 0, marker.length);
        return data;
    }

    private void watch(final String topic) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.config.get("bootstrap.servers"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        final boolean isAudit = topic.equals(f.topics.audit());
        final SpecificAvroSerde<ObjectEncrypted> objectSerde = f.serde(ObjectEncrypted.class);
        final SpecificAvroSerde<AuditEvent> auditSerde = f.serde(AuditEvent.class);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> parts = List.of();
            while (parts == null || parts.isEmpty()) {
                parts = c.partitionsFor(topic, Duration.ofSeconds(30));
            }
            final List<TopicPartition> tps = parts.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            while (watching.get()) {
                final var records = pollQuietly(c);
                final long now = System.currentTimeMillis();
                for (final ConsumerRecord<byte[], byte[]> r : records) {
                    if (isAudit) {
                        final AuditEvent a = auditSerde.deserializer().deserialize(topic, r.headers(), r.value());
                        if (a.getAction() == AuditAction.ENCRYPT && a.getOutcome() == AuditOutcome.SUCCESS) {
                            auditSuccessRecords.incrementAndGet();
                            audits.computeIfAbsent(a.getEventId(), k -> new Visible(now, r.partition(), new AtomicInteger()))
                                    .count().incrementAndGet();
                        }
                    } else {
                        final ObjectEncrypted o = objectSerde.deserializer().deserialize(topic, r.headers(), r.value());
                        objectRecords.incrementAndGet();
                        objects.computeIfAbsent(o.getEventId(), k -> new Visible(now, r.partition(), new AtomicInteger()))
                                .count().incrementAndGet();
                    }
                }
            }
        }
    }

    /** A poll that rides out a broker that is down (the broker-restart fault). */
    private static org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> pollQuietly(
            final KafkaConsumer<byte[], byte[]> c) {
        try {
            return c.poll(Duration.ofMillis(100));
        } catch (final org.apache.kafka.common.errors.TimeoutException e) {
            return org.apache.kafka.clients.consumer.ConsumerRecords.empty();
        }
    }

    // ------------------------------------------------------------------------------------------- measurements

    /**
     * Seconds from {@code t0} until work sent after {@code t0} is committed again everywhere: for each input partition,
     * and for each output partition of the objects and the audit topic, the first upload sent after {@code t0} that
     * became visible there. A partition whose tasks sat on a dead instance, or whose last stable offset an open
     * transaction holds back, shows nothing until that is over; the slowest partition is the recovery time.
     */
    Recovery recoveryOfNewWork(final long t0) {
        return new Recovery(recovery(objects, t0, true), recovery(audits, t0, true));
    }

    /**
     * Seconds from {@code t0} (the end of an outage) until each input partition and each output partition had a
     * commit again: the first upload of that partition, sent at any time, that became visible after {@code t0}.
     */
    Recovery recoveryAfter(final long t0) {
        return new Recovery(recovery(objects, t0, false), recovery(audits, t0, false));
    }

    private double recovery(final Map<String, Visible> out, final long t0, final boolean sentAfter) {
        final Map<Integer, Long> firstPerInput = new HashMap<>();
        final Map<Integer, Long> firstPerOutput = new HashMap<>();
        for (final Map.Entry<String, long[]> e : sent.entrySet()) {
            final Visible v = out.get(e.getKey());
            if (v != null && (sentAfter ? e.getValue()[0] >= t0 : v.at() >= t0)) {
                firstPerInput.merge((int) e.getValue()[1], v.at(), Math::min);
                firstPerOutput.merge(v.partition(), v.at(), Math::min);
            }
        }
        assertThat(firstPerInput).as("every input partition committed after the fault").hasSize(PARTITIONS);
        assertThat(firstPerOutput).as("every output partition committed after the fault").hasSize(PARTITIONS);
        double worst = 0;
        for (final long at : firstPerInput.values()) {
            worst = Math.max(worst, (at - t0) / 1000.0);
        }
        for (final long at : firstPerOutput.values()) {
            worst = Math.max(worst, (at - t0) / 1000.0);
        }
        return worst;
    }

    /** Waits until every upload sent so far is visible in both topics (or fails after {@code timeout}). */
    void awaitAllVisible(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (trafficFailure != null) {
                throw new AssertionError("the upload traffic failed", trafficFailure);
            }
            if (objects.keySet().containsAll(sent.keySet()) && audits.keySet().containsAll(sent.keySet())) {
                Thread.sleep(3_000); // anything committed right behind (a duplicate would show up here)
                return;
            }
            Thread.sleep(200);
        }
        final List<String> missing = sent.keySet().stream().filter(e -> !objects.containsKey(e)).sorted().limit(10).toList();
        final StringBuilder logs = new StringBuilder();
        for (final App app : apps) {
            logs.append("\n--- ").append(app.name()).append(app.alive() ? " (alive)" : " (exited)").append('\n')
                    .append(io.sealstream.stack.ServiceProcess.tail(app.log(), 40));
        }
        throw new AssertionError("after " + timeout + ", " + (sent.size() - objects.size()) + " of " + sent.size()
                + " uploads have no ObjectEncrypted and " + (sent.size() - audits.size()) + " no audit event; e.g. "
                + missing + logs);
    }

    /**
     * Nothing lost, nothing duplicated, every object decrypts to what was sent, the audit chain verifies, and no
     * plaintext marker is in any app log.
     */
    void assertExactlyOnceAndIntact() throws Exception {
        assertThat(objects.keySet()).as("an ObjectEncrypted per upload").containsAll(sent.keySet());
        assertThat(audits.keySet()).as("an ENCRYPT audit event per upload").containsAll(sent.keySet());
        assertThat(objects.values()).as("ObjectEncrypted per upload").allSatisfy(v -> assertThat(v.count().get()).isEqualTo(1));
        assertThat(audits.values()).as("ENCRYPT audit per upload").allSatisfy(v -> assertThat(v.count().get()).isEqualTo(1));
        assertThat(objectRecords.get()).isEqualTo(sent.size());
        assertThat(auditSuccessRecords.get()).isEqualTo(sent.size());

        try (ObjectStore store = f.store();
             LocalKeyStoreKms kms = LocalKeyStoreKms.open(f.keystore, PipelineFixture.PASSPHRASE.toCharArray())) {
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);
            for (final String eventId : sent.keySet()) {
                final String key = "obj-" + eventId.substring(eventId.lastIndexOf('-') + 1);
                final ObjectIdentity id = new ObjectIdentity("acme", "it", key);
                try (InputStream plain = envelope.decryptingStream(store.get(id.destination(f.config
                        .get("sealstream.store.bucket"))), id.encryptionContext())) {
                    assertThat(PipelineFixture.sha256(plain)).as(key).isEqualTo(expectedSha.get(key));
                }
            }
        }
        final AuditTrailVerifier.Report chain = AuditTopicReader.verify(f.config, f.topics.audit(), List.of(),
                Duration.ofMinutes(1));
        assertThat(chain.problems()).as("audit chain problems: " + chain.summary()).isEmpty();
        for (final App app : apps) {
            assertThat(Files.readString(app.log(), StandardCharsets.UTF_8)).as("log of " + app.name())
                    .doesNotContain("PLAINTEXT-MARKER").doesNotContain(env.s3SecretKey())
                    .doesNotContain(PipelineFixture.PASSPHRASE);
        }
    }

    /** Dead letters on the campaign's DLQ topic, raw. */
    List<ConsumerRecord<byte[], byte[]>> deadLetters(final int atLeast, final Duration timeout) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.config.get("bootstrap.servers"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> tps = c.partitionsFor(f.topics.deadLetters()).stream()
                    .map(i -> new TopicPartition(f.topics.deadLetters(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            c.poll(Duration.ofSeconds(1)).forEach(out::add);
        }
        return out;
    }

    static String hex(final ByteBuffer b) {
        final byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return Arrays.toString(out);
    }

    @Override
    public void close() throws Exception {
        sending.set(false);
        watching.set(false);
        for (final App app : apps) {
            if (app.alive()) {
                app.process().destroy();
                if (!app.process().waitFor(60, TimeUnit.SECONDS)) {
                    app.process().destroyForcibly();
                }
            }
        }
        // The apps' logs outlive the temporary directory, for whoever reads a failure (target/fault-campaign-logs).
        final Path keep = Path.of("target", "fault-campaign-logs", f.id);
        Files.createDirectories(keep);
        for (final App app : apps) {
            Files.copy(app.log(), keep.resolve(app.log().getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (final Thread t : threads) {
            t.join(5_000);
        }
    }

    static void signal(final long pid, final String signal) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kill -" + signal + " " + pid).isZero();
    }
}
