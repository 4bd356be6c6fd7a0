package io.sealstream.dev;

import io.sealstream.cli.LogLevels;
import io.sealstream.cli.AuditCommand;
import io.sealstream.cli.CliFailure;
import io.sealstream.cli.IoAware;
import io.sealstream.cli.SealstreamCli;

import io.sealstream.audit.kafka.AuditTopicReader;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.SigningKeys;
import io.sealstream.stack.EmbeddedKafka;
import io.sealstream.app.GeneratedContent;
import io.sealstream.app.SealstreamApp;
import io.sealstream.audit.AuditTrailVerifier;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.app.SealstreamRuntime;
import io.sealstream.keys.KeyLifecycle;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.InlinePayload;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.events.ObjectUploaded;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.StagedPayload;
import io.sealstream.kms.cache.DataKeyCacheStats;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.Topics;
import io.sealstream.serde.MockSchemaRegistry;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sealstream demo}: the whole pipeline on this machine with nothing installed. Starts a KRaft broker inside
 * the JVM, the {@code local} KMS with a generated key store, a filesystem object store and the in-memory schema
 * registry ({@code mock://}), runs the pipeline, produces inline and staged uploads (one of {@code --large-mib}
 * MiB) and a few poison events, and reports what came out: objects, audit and rotation events, dead letters.
 * Then it decrypts the large object from the store and checks it against the original, and verifies the audit
 * trail's hash chains as {@code sealstream audit verify} does.
 */
@Command(name = "demo", description = "Run the whole pipeline embedded (in-JVM Kafka, local KMS, filesystem store): "
        + "uploads in, ciphertext, audit, rotation and dead letters out.")
final class DemoCommand extends IoAware implements Callable<Integer> {

    private static final String DEFAULT_KEK = "demo-default";
    private static final String ACME_KEK = "demo-acme";
    private static final String REGISTRY_SCOPE = "sealstream-demo";
    private static final int SMALL_OBJECT_BYTES = 1024;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/demo", description = "Working directory. Default: ${DEFAULT-VALUE}.")
    Path dir;
    @Option(names = "--large-mib", paramLabel = "MIB", defaultValue = "100", description = "Size of the large staged upload. Default: ${DEFAULT-VALUE}.")
    int largeMib;
    @Option(names = "--inline", paramLabel = "N", defaultValue = "500", description = "How many 1 KiB inline uploads. Default: ${DEFAULT-VALUE}.")
    int inline;
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT3M", description = "How long to wait for the pipeline's output. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    private PrintStream out;

    @Override
    public Integer call() throws Exception {
        out = io.stdout();
        // The report below says what happened; the pipeline's own per-record warnings would repeat it.
        LogLevels.setUnlessChosen("io.sealstream.pipeline", "ERROR");
        // The in-JVM broker's start-up and shutdown chatter is not the user's concern here.
        LogLevels.setUnlessChosen("org.apache.kafka", "ERROR");
        LogLevels.setUnlessChosen("kafka", "ERROR");
        Files.createDirectories(dir);
        final Map<String, String> env = new HashMap<>(io.environment());
        if (!env.containsKey(LocalKeyStoreKms.PASSPHRASE_ENV) && !env.containsKey(LocalKeyStoreKms.PASSPHRASE_FILE_ENV)) {
            env.put(LocalKeyStoreKms.PASSPHRASE_FILE_ENV, demoPassphraseFile(dir, out).toString());
        }
        final Path keystore = dir.resolve("keys.p12");
        try (LocalKeyStoreKms keys = LocalKeyStoreKms.openFromEnvironment(keystore, env)) {
            for (String kek : List.of(DEFAULT_KEK, ACME_KEK)) {
                if (keys.listKeys().stream().noneMatch(k -> k.keyId().equals(kek))) {
                    keys.createKey(kek);
                }
            }
        }
        final Path run = dir.resolve("run");
        deleteRecursively(run);
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(run.resolve("kafka"))) {
            out.printf("kafka       in-JVM KRaft broker at %s (%.1f s)%n", kafka.bootstrapServers(), seconds(t0));
            final Map<String, String> config = config(kafka.bootstrapServers(), keystore, run);
            t0 = System.nanoTime();
            try (SealstreamApp app = SealstreamApp.start(config, env)) {
                if (!app.awaitRunning(Duration.ofSeconds(90))) {
                    throw new CliFailure("demo: the pipeline did not reach RUNNING (state " + app.state() + ")",
                            SealstreamCli.EXIT_FAILURE);
                }
                out.printf("pipeline    running (%.1f s): exactly_once_v2, store %s, registry mock://%s%n", seconds(t0),
                        app.store().describe(), REGISTRY_SCOPE);
                final Expected expected = produce(config, app.store());
                final Results results = collect(config, app.pipeline().topics(), expected);
                report(results, expected, app);
                OperationsEndpointCheck.report(app, out);
                StagingDemo.awaitCleaned(out, app.store());
                verifyLarge(results, expected, app, config);
                rotateAndRead(results, expected, app, config, env);
                verifyAuditTrail(config, app, results.audit().size());
                GatewayDemo.readOneObject(out, app, config, results.objects().stream()
                        .filter(o -> o.getEventId().equals(expected.largeEventId())).findFirst().orElseThrow(),
                        expected.largeSha256());
            }
        } finally {
            MockSchemaRegistry.dropScope(REGISTRY_SCOPE);
        }
        out.println("demo OK");
        return 0;
    }

    private Map<String, String> config(final String bootstrap, final Path keystore, final Path run) {
        final Map<String, String> c = new TreeMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("application.id", "sealstream-demo");
        c.put("schema.registry.url", "mock://" + REGISTRY_SCOPE);
        c.put("state.dir", run.resolve("state").toString());
        c.put("num.stream.threads", "2");
        c.put("sealstream.topic.partitions", "2");
        c.put("sealstream.store.type", "filesystem");
        c.put("sealstream.store.filesystem.root", run.resolve("objects").toString());
        c.put("sealstream.kms.local.keystore", keystore.toString());
        c.put("sealstream.keys.default", DEFAULT_KEK);
        c.put("sealstream.audit.checkpoint-interval", "PT1S"); // the demo's last records are signed within a second
        c.put("sealstream.keys.tenant.acme", ACME_KEK);
        c.put("sealstream.inline.max-bytes", "64KiB");
        c.put("sealstream.staging.buckets", "staging");
        c.put("sealstream.ops.port", "0"); // any free port: the demo reads its own metrics and readiness
        return c;
    }

    /** What the demo sent, so it knows what to expect back. */
    private record Expected(int good, Map<String, String> poison, ObjectLocation largeStaging, byte[] largeSha256,
                            String largeEventId) {
    }

    private Expected produce(final Map<String, String> config, final ObjectStore store) throws Exception {
        final ObjectLocation large = new ObjectLocation("staging", "acme/large-" + largeMib + "MiB.bin");
        long t0 = System.nanoTime();
        final MessageDigest largeSha = MessageDigest.getInstance("SHA-256");
        store.put(large, Map.of(), sink -> writeGenerated(sink, (long) largeMib << 20, largeSha));
        final byte[] largeDigest = largeSha.digest();
        final ObjectLocation medium = new ObjectLocation("staging", "globex/report-3MiB.csv");
        final MessageDigest mediumSha = MessageDigest.getInstance("SHA-256");
        store.put(medium, Map.of(), sink -> writeGenerated(sink, 3L << 20, mediumSha));
        // Its own staging object: the cleaner deletes the medium one once its ciphertext is committed.
        final ObjectLocation tampered = new ObjectLocation("staging", StagingDemo.DEAD_LETTERED);
        final MessageDigest tamperedSha = MessageDigest.getInstance("SHA-256");
        store.put(tampered, Map.of(), sink -> writeGenerated(sink, 64L << 10, tamperedSha));
        final ObjectLocation empty = new ObjectLocation("staging", "acme/empty.txt");
        store.put(empty, Map.of(), sink -> { });
        out.printf("staging     wrote %s (%d MiB), %s, %s (%.1f s)%n", large, largeMib, medium, empty, seconds(t0));

        final Map<String, Object> props = new HashMap<>(config);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        final SpecificAvroSerde<ObjectUploaded> serde = new SpecificAvroSerde<>(ObjectUploaded.class);
        serde.configure(config, false);
        final String topic = Topics.UPLOADS;
        final Map<String, String> poison = new TreeMap<>();
        final String largeEventId = "demo-large";
        int good = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            final SecureRandom random = new SecureRandom();
            for (int i = 0; i < inline; i++) {
                final byte[] data = new byte[SMALL_OBJECT_BYTES];
                random.nextBytes(data);
                final String tenant = i % 2 == 0 ? "acme" : "globex";
                send(producer, serde, topic, upload("demo-inline-" + i, tenant, "invoices", "2026/11/invoice-" + i + ".pdf",
                        new InlinePayload(ByteBuffer.wrap(data), null)));
                good++;
            }
            send(producer, serde, topic, upload(largeEventId, "acme", "media", "videos/launch.mp4",
                    new StagedPayload(large.toUri(), (long) largeMib << 20, ByteBuffer.wrap(largeDigest), null)));
            send(producer, serde, topic, upload("demo-medium", "globex", "reports", "q3/report.csv",
                    new StagedPayload(medium.toUri(), 3L << 20, ByteBuffer.wrap(mediumSha.digest()), null)));
            send(producer, serde, topic, upload("demo-empty", "acme", "notes", "empty.txt",
                    new StagedPayload(empty.toUri(), 0L, null, null)));
            good += 3;

            // Poison: each lands in the dead-letter topic with its reason, and the good events keep flowing.
            producer.send(new ProducerRecord<>(topic, "garbage".getBytes(StandardCharsets.UTF_8),
                    "this is not Avro".getBytes(StandardCharsets.UTF_8)));
            poison.put("garbage", "MALFORMED_EVENT");
            send(producer, serde, topic, upload("demo-missing", "acme", "media", "missing.bin",
                    new StagedPayload("s3://staging/acme/never-uploaded.bin", 10L, null, null)));
            poison.put("demo-missing", "STAGING_NOT_FOUND");
            send(producer, serde, topic, upload("demo-bad-sha", "globex", "reports", "tampered.csv",
                    new StagedPayload(tampered.toUri(), 64L << 10, ByteBuffer.wrap(new byte[32]), null)));
            poison.put("demo-bad-sha", "CHECKSUM_MISMATCH");
            // globex names acme's staged object: refused, or globex could read acme's upload (staging.tenant-prefix).
            send(producer, serde, topic, upload("demo-cross-tenant", "globex", "media", "not-mine.mp4",
                    new StagedPayload(large.toUri(), (long) largeMib << 20, null, null)));
            poison.put("demo-cross-tenant", "INVALID_FIELD");
            send(producer, serde, topic, upload("demo-too-big", "acme", "invoices", "too-big.pdf",
                    new InlinePayload(ByteBuffer.wrap(new byte[100 * 1024]), null)));
            poison.put("demo-too-big", "INLINE_TOO_LARGE");
            send(producer, serde, topic, upload("demo-bad-tenant", "../etc", "invoices", "x.pdf",
                    new InlinePayload(ByteBuffer.wrap(new byte[10]), null)));
            poison.put("demo-bad-tenant", "INVALID_FIELD");
            producer.flush();
        }
        out.printf("produced    %d inline x 1 KiB, 3 staged (0 B, 3 MiB, %d MiB), %d poison events to %s%n", inline,
                largeMib, poison.size(), topic);
        return new Expected(good, poison, large, largeDigest, largeEventId);
    }

    private static ObjectUploaded upload(final String id, final String tenant, final String bucket, final String key,
                                         final Object payload) {
        return ObjectUploaded.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.now())
                .setTenant(tenant)
                .setBucket(bucket)
                .setObjectKey(key)
                .setContentType("application/octet-stream")
                .setUploader("demo-user@" + tenant)
                .setUserMetadata(Map.of("source", "sealstream demo"))
                .setPayload(payload)
                .build();
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer, final SpecificAvroSerde<ObjectUploaded> serde,
                             final String topic, final ObjectUploaded upload) {
        final String key = upload.getTenant() + "/" + upload.getBucket() + "/" + upload.getObjectKey();
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                serde.serializer().serialize(topic, upload)));
    }

    /** Everything read back from the output topics (read_committed: only what the pipeline committed). */
    private record Results(List<ObjectEncrypted> objects, List<AuditEvent> audit, List<DeadLetter> deadLetters,
                           List<RotationEvent> rotation, double seconds) {
    }

    private Results collect(final Map<String, String> config, final Topics topics, final Expected expected) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrap.servers"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "sealstream-demo-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ObjectEncrypted> objects = new ArrayList<>();
        final List<AuditEvent> audit = new ArrayList<>();
        final List<DeadLetter> dead = new ArrayList<>();
        final List<RotationEvent> rotation = new ArrayList<>();
        final long t0 = System.nanoTime();
        final long deadline = t0 + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics.all().subList(1, 5));
            final Map<String, SpecificAvroSerde<? extends SpecificRecord>> serdes = Map.of(
                    topics.objects(), serde(ObjectEncrypted.class, config), topics.audit(), serde(AuditEvent.class, config),
                    topics.deadLetters(), serde(DeadLetter.class, config), topics.rotation(), serde(RotationEvent.class, config));
            while (objects.size() < expected.good() || dead.size() < expected.poison().size()
                    || audit.size() < expected.good() + expected.poison().size()) {
                if (System.nanoTime() > deadline) {
                    throw new CliFailure(String.format("demo: timed out after %s with %d/%d objects, %d/%d dead letters",
                            timeout, objects.size(), expected.good(), dead.size(), expected.poison().size()),
                            SealstreamCli.EXIT_FAILURE);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final Object value = serdes.get(r.topic()).deserializer().deserialize(r.topic(), r.headers(), r.value());
                    if (value instanceof ObjectEncrypted o) {
                        objects.add(o);
                    } else if (value instanceof AuditEvent a) {
                        audit.add(a);
                    } else if (value instanceof DeadLetter d) {
                        dead.add(d);
                    } else if (value instanceof RotationEvent e) {
                        rotation.add(e);
                    }
                }
            }
            // Rotation events are published as keys are created: give stragglers a moment.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.topic().equals(topics.rotation())) {
                    rotation.add((RotationEvent) serdes.get(r.topic()).deserializer().deserialize(r.topic(), r.headers(), r.value()));
                }
            }
        }
        return new Results(objects, audit, dead, rotation, (System.nanoTime() - t0) / 1e9);
    }

    private static <T extends SpecificRecord> SpecificAvroSerde<T> serde(final Class<T> type, final Map<String, String> config) {
        final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    private void report(final Results r, final Expected expected, final SealstreamApp app) {
        final long bytes = r.objects().stream().mapToLong(ObjectEncrypted::getPlaintextSize).sum();
        out.printf("objects     %d encrypted and committed (%,d bytes of plaintext) within %.1f s of the last send%n",
                r.objects().size(), bytes, r.seconds());
        final long success = r.audit().stream().filter(a -> a.getAction() == AuditAction.ENCRYPT
                && a.getOutcome() == AuditOutcome.SUCCESS).count();
        final long failure = r.audit().stream().filter(a -> a.getAction() == AuditAction.ENCRYPT
                && a.getOutcome() == AuditOutcome.FAILURE).count();
        out.printf("audit       %d events: %d ENCRYPT SUCCESS, %d ENCRYPT FAILURE, %d other (staging cleanup)%n",
                r.audit().size(), success, failure, r.audit().size() - success - failure);
        final Map<String, String> reasons = new TreeMap<>();
        for (DeadLetter d : r.deadLetters()) {
            reasons.put(d.getEventId() == null ? "garbage" : d.getEventId(), d.getReasonCode());
        }
        reasons.forEach((id, reason) -> out.printf("dead letter %-16s %s%n", id, reason));
        if (!reasons.equals(expected.poison())) {
            throw new CliFailure("demo: dead letters " + reasons + " differ from the poison sent " + expected.poison(),
                    SealstreamCli.EXIT_FAILURE);
        }
        if (r.objects().size() != expected.good() || success != expected.good()) {
            throw new CliFailure("demo: expected " + expected.good() + " objects and ENCRYPT audit events, got "
                    + r.objects().size() + " and " + success, SealstreamCli.EXIT_FAILURE);
        }
        r.rotation().sort(Comparator.comparing(RotationEvent::getTime));
        for (RotationEvent e : r.rotation()) {
            out.printf("rotation    %s dek %s under %s/%s v%s%n", e.getKind(), e.getDekId(), e.getKek().getProvider(),
                    e.getKek().getKeyId(), e.getKek().getVersion());
        }
        final DataKeyCacheStats stats = app.kms().stats();
        out.printf("kms         %d calls for %d objects (a data key per KEK and tenant bucket, cached)%n", stats.kmsCalls(), r.objects().size());
    }

    private void verifyLarge(final Results r, final Expected expected, final SealstreamApp app,
                             final Map<String, String> config) throws Exception {
        final ObjectEncrypted large = r.objects().stream().filter(o -> o.getEventId().equals(expected.largeEventId()))
                .findFirst().orElseThrow();
        final ObjectLocation where = ObjectLocation.parse(large.getDestination());
        final byte[] storedDigest;
        try (InputStream in = app.store().get(where)) {
            storedDigest = EnvelopeDecryptor.ciphertextDigest(in);
        }
        final boolean digestMatches = MessageDigest.isEqual(storedDigest, bytes(large.getCiphertextDigest()));
        final long t0 = System.nanoTime();
        final ObjectIdentity identity = new ObjectIdentity(large.getTenant(), large.getBucket(), large.getObjectKey());
        final byte[] sha = auditedSha256(app, config, where, identity);
        final boolean same = MessageDigest.isEqual(sha, expected.largeSha256());
        out.printf("decrypted   %s (%d MiB) in %.1f s, audited; ciphertext digest matches ObjectEncrypted: %s; SHA-256 matches the original: %s%n",
                where, largeMib, seconds(t0), digestMatches, same);
        if (!same || !digestMatches) {
            throw new CliFailure("demo: the large object did not round-trip", SealstreamCli.EXIT_FAILURE);
        }
    }

    /** The audited read path, as {@code sealstream get} runs it: key through the DEK registry, DECRYPT audit event. */
    private static byte[] auditedSha256(final SealstreamApp app, final Map<String, String> config,
                                        final ObjectLocation where, final ObjectIdentity identity) throws Exception {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (KafkaAuditLog audit = KafkaAuditLog.open(config, "sealstream-demo-get");
             java.security.DigestOutputStream sink = new java.security.DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            new AuditedObjectReader(app.store(), app.registry(), app.kms(), audit,
                    "sealstream-demo/get", java.time.Clock.systemUTC(), true, app.pipeline().keyPolicy())
                    .read(where, identity, System.getProperty("user.name", "demo"), sink,
                            AuditedObjectReader.Release.AFTER_AUDIT);
        }
        return sha.digest();
    }

    /**
     * Key lifecycle in one step: rotate the acme KEK while the pipeline runs (its DEKs are re-wrapped in the registry,
     * no object is rewritten) and read an acme object again through the registry.
     */
    private void rotateAndRead(final Results r, final Expected expected, final SealstreamApp app,
                               final Map<String, String> config, final Map<String, String> env) throws Exception {
        final long t0 = System.nanoTime();
        final KeyLifecycle.Rotation rotation;
        try (SealstreamRuntime tools = SealstreamRuntime.forTool(config, env,
                System.getProperty("user.name", "demo"), "demo-keys")) {
            rotation = tools.lifecycle().rotateKek(ACME_KEK);
        }
        final ObjectEncrypted large = r.objects().stream().filter(o -> o.getEventId().equals(expected.largeEventId()))
                .findFirst().orElseThrow();
        final ObjectIdentity identity = new ObjectIdentity(large.getTenant(), large.getBucket(), large.getObjectKey());
        final boolean same = MessageDigest.isEqual(auditedSha256(app, config, ObjectLocation.parse(large.getDestination()),
                identity), expected.largeSha256());
        out.printf("rotated     %s -> %s (%.1f s): %d data key(s) re-wrapped in the DEK registry, no object rewritten; "
                        + "%s still decrypts: %s%n", rotation.previous(), rotation.current(), seconds(t0),
                rotation.rewrap().getDeksRewrapped(), large.getObjectKey(), same);
        if (!same) {
            throw new CliFailure("demo: an object did not decrypt after the KEK rotation", SealstreamCli.EXIT_FAILURE);
        }
    }

    /**
     * What {@code sealstream audit verify --public-key} does, on the demo's audit topic: the chains, and the chainer's
     * signed checkpoints covering every record (waiting up to a few checkpoint intervals for the last ones).
     */
    private void verifyAuditTrail(final Map<String, String> config, final SealstreamApp app, final int auditEvents) {
        final long t0 = System.nanoTime();
        final String topic = app.pipeline().topics().audit();
        final SigningKeys keys = KeyManagementServiceDecorator.findRole(app.kms(), SigningKeys.class).orElseThrow();
        final java.security.PublicKey publicKey = keys.publicKey(
                keys.currentSigningKey(app.pipeline().checkpoints().signingKey()));
        AuditTrailVerifier.Report trail;
        List<String> checkpoints;
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            checkpoints = AuditTopicReader.readLines(config, app.pipeline().topics().auditCheckpoints(),
                    Duration.ofSeconds(60));
            trail = AuditTopicReader.verify(config, topic, new AuditTrailVerifier(topic, List.of(), false,
                    new AuditTrailVerifier.Checkpoints(List.of(publicKey), checkpoints)), Duration.ofSeconds(60));
        } while (!trail.clean() && trail.problems().stream().allMatch(p -> p.kind()
                == AuditTrailVerifier.ProblemKind.APPENDED) && System.nanoTime() < deadline && pause());
        out.printf("audit chain %s; %d signed checkpoints cover every record (%.1f s)%n", trail.summary(),
                checkpoints.size(), seconds(t0));
        if (!trail.clean() || trail.records() < auditEvents) {
            AuditCommand.print(out, topic, trail, 20, false);
            throw new CliFailure("demo: the audit trail does not verify", SealstreamCli.EXIT_FAILURE);
        }
    }

    /** Waits for the chainer's next checkpoint interval; true, to read as a loop condition. */
    private static boolean pause() {
        try {
            Thread.sleep(500);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return true;
    }

    private static byte[] bytes(final ByteBuffer b) {
        final byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static double seconds(final long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The demo's generated key-store passphrase, owner-only, reused across runs. */
    static Path demoPassphraseFile(final Path dir, final PrintStream out) throws IOException {
        final Path file = dir.resolve("keystore.pass");
        if (!Files.exists(file)) {
            final byte[] raw = new byte[24];
            new SecureRandom().nextBytes(raw);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, HexFormat.of().formatHex(raw) + "\n", StandardCharsets.US_ASCII);
            out.println("passphrase  generated in " + file + " (used as $" + LocalKeyStoreKms.PASSPHRASE_FILE_ENV + ")");
        }
        return file;
    }

    /** Pseudo-random but cheap data, generated on the fly so the original never has to be held in memory. */
    static void writeGenerated(final OutputStream out, final long size, final MessageDigest digest) throws IOException {
        GeneratedContent.write(out, size, 0x2545F4914F6CDD1DL ^ size, digest);
    }

    private static void deleteRecursively(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
