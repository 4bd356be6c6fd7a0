package io.sealstream.cli;

import io.sealstream.app.SealstreamRuntime;
import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.DeadLetter;
import io.sealstream.events.DeadLetterHeader;
import io.sealstream.pipeline.ClientConfigs;
import io.sealstream.pipeline.DeadLetterSealing;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.serde.SpecificAvroSerde;
import io.sealstream.text.BoundedText;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sealstream dlq}: the dead-letter topic. {@code list} shows letters (reason and where the original was; no bytes
 * of it); {@code show} opens one letter's sealed value ({@link DeadLetterSealing}) into a file; {@code replay} sends
 * the original key, value and headers back to the uploads topic, once fixed upstream or as they were. {@code show}
 * and {@code replay} are audited (DECRYPT events naming the letter), because they release what was sealed.
 */
@Command(name = "dlq", description = "List, open and replay dead letters.",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Show.class, DlqCommand.Replay.class})
public final class DlqCommand {

    private static final Pattern SOURCE = Pattern.compile("(.+)/(\\d+)@(\\d+)");

    private DlqCommand() {
    }

    /** Every letter of the dead-letter topic up to its end at start, with its own coordinates. */
    record Letter(int partition, long offset, DeadLetter letter) {
        String source() {
            return letter.getTopic() + "/" + letter.getPartition() + "@" + letter.getOffset();
        }
    }

    static List<Letter> read(final Map<String, String> settings, final String topic, final Duration timeout,
                             final Predicate<DeadLetter> wanted) {
        final Map<String, Object> props = ClientConfigs.consumer(settings);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        final SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class);
        serde.configure(settings, false);
        final List<Letter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], DeadLetter> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                serde.deserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
            long lastProgress = System.nanoTime();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
                final var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                }
                for (final ConsumerRecord<byte[], DeadLetter> r : records) {
                    if (r.value() != null && wanted.test(r.value())) {
                        out.add(new Letter(r.partition(), r.offset(), r.value()));
                    }
                }
                if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                    throw new CliFailure("reading " + topic + " made no progress for " + timeout,
                            SealstreamCli.EXIT_FAILURE);
                }
            }
        }
        return out;
    }

    /** The letter for the original record at {@code source} ({@code topic/partition@offset}), the newest if several. */
    static Letter find(final Map<String, String> settings, final String topic, final String source,
                       final Duration timeout) {
        final Matcher m = SOURCE.matcher(source);
        if (!m.matches()) {
            throw new CliFailure("--source must be TOPIC/PARTITION@OFFSET, as dlq list prints it", SealstreamCli.EXIT_USAGE);
        }
        final List<Letter> found = read(settings, topic, timeout, d -> d.getTopic().equals(m.group(1))
                && d.getPartition() == Integer.parseInt(m.group(2)) && d.getOffset() == Long.parseLong(m.group(3)));
        if (found.isEmpty()) {
            throw new CliFailure("no dead letter for " + source + " in " + topic, SealstreamCli.EXIT_FAILURE);
        }
        return found.get(found.size() - 1);
    }

    /** The original bytes of one part of a letter: unsealed under the quarantine KEK, or as kept when not sealed. */
    static byte[] original(final SealstreamRuntime runtime, final DeadLetter d, final String part) throws Exception {
        final ByteBuffer kept = part.equals(DeadLetterSealing.PART_KEY) ? d.getKey() : d.getValue();
        if (kept == null) {
            return null;
        }
        final byte[] bytes = new byte[kept.remaining()];
        kept.duplicate().get(bytes);
        if (!d.getSealed()) {
            return bytes;
        }
        return new EnvelopeEncryption(runtime.kms()).decrypt(bytes,
                DeadLetterSealing.context(d.getTopic(), d.getPartition(), d.getOffset(), part));
    }

    /** {@link #original}, with a FAILURE audit event when the letter does not open (tampered, key refused). */
    static byte[] unsealAudited(final SealstreamRuntime runtime, final KafkaAuditLog audit, final String actor,
                                final Letter letter, final String part) throws Exception {
        try {
            return original(runtime, letter.letter(), part);
        } catch (final Exception e) {
            audit.record(audit(runtime, actor, letter, AuditOutcome.FAILURE, BoundedText.message(e)));
            throw e;
        }
    }

    static AuditEvent audit(final SealstreamRuntime runtime, final String actor, final Letter letter,
                            final AuditOutcome outcome, final String message) {
        return AuditEvent.newBuilder()
                .setAuditId("dlq:" + UUID.randomUUID())
                .setTime(Clock.systemUTC().instant())
                .setAction(AuditAction.DECRYPT)
                .setOutcome(outcome)
                .setActor(actor)
                .setService(runtime.events().service())
                .setEventId(letter.letter().getEventId())
                .setLocation("dlq:" + letter.source())
                .setReasonCode(outcome == AuditOutcome.FAILURE ? "DLQ_OPEN_FAILED" : null)
                .setMessage(BoundedText.clip(message, BoundedText.MAX_MESSAGE_CHARS))
                .build();
    }

    /** Options every dlq subcommand takes. */
    static final class Common {
        @Option(names = "--topic", paramLabel = "TOPIC", description = "The dead-letter topic. Default: "
                + "sealstream.topic.dlq.")
        String topic;
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT1M", description = "Give up when "
                + "Kafka makes no progress for this long. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        String topic(final Map<String, String> settings) {
            return topic != null ? topic : PipelineConfig.fromConfig(settings).topics().deadLetters();
        }
    }

    /** The letter {@code show} and {@code replay} act on. */
    static final class Source {
        @Option(names = "--source", required = true, paramLabel = "TOPIC/PARTITION@OFFSET",
                description = "The original record, as dlq list prints it.")
        String source;
    }

    @Command(name = "list", description = "One line per dead letter: where the original record was, why, its event "
            + "id and sizes. No bytes of the record are printed.")
    static final class ListLetters extends IoAware implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Mixin
        Common common;
        @Option(names = "--reason", paramLabel = "CODE", description = "Only letters with this reason code.")
        String reason;
        @Option(names = "--json", description = "Print one JSON array: source, reasonCode, eventId, valueSize, "
                + "valueTruncated, keySize, sealed, failedAt, message (never bytes of the record).")
        boolean json;

        @Override
        public Integer call() {
            final Map<String, String> environment = service.environment(io);
            final Map<String, String> settings = service.settings(environment);
            SealstreamRuntime.validate(settings);
            final List<Letter> letters = read(settings, common.topic(settings), common.timeout,
                    d -> reason == null || reason.equals(d.getReasonCode()));
            if (json) {
                final com.fasterxml.jackson.databind.node.ArrayNode array = JsonOutput.array();
                for (final Letter l : letters) {
                    final DeadLetter d = l.letter();
                    final com.fasterxml.jackson.databind.node.ObjectNode node = array.addObject()
                            .put("source", l.source()).put("reasonCode", d.getReasonCode())
                            .put("eventId", d.getEventId() == null ? null : BoundedText.clip(d.getEventId(), 128))
                            .put("valueTruncated", d.getValueTruncated()).put("sealed", d.getSealed())
                            .put("failedAt", d.getFailedAt().toString())
                            .put("message", BoundedText.clip(d.getMessage(), 300));
                    node.put("valueSize", d.getValueSize());
                    node.put("keySize", d.getKeySize());
                }
                io.stdout().println(array);
            }
            for (final Letter l : json ? List.<Letter>of() : letters) {
                final DeadLetter d = l.letter();
                io.stdout().printf("%s %-20s event=%s value=%s%s key=%s sealed=%s at=%s: %s%n", l.source(),
                        d.getReasonCode(), d.getEventId() == null ? "-" : BoundedText.clip(d.getEventId(), 128),
                        d.getValueSize() == null ? "-" : d.getValueSize() + "B", d.getValueTruncated() ? "(cut)" : "",
                        d.getKeySize() == null ? "-" : d.getKeySize() + "B", d.getSealed(), d.getFailedAt(),
                        BoundedText.clip(d.getMessage(), 300));
            }
            io.stderr().println("sealstream: " + letters.size() + " dead letter(s) in " + common.topic(settings));
            return 0;
        }
    }

    /** What show and replay do with the letter they found, with the tool's runtime and audit log open. */
    @FunctionalInterface
    private interface LetterAction {
        void run(SealstreamRuntime runtime, KafkaAuditLog audit, String actor, Letter letter) throws Exception;
    }

    /** Opens the tool's runtime and audit log as the actor, finds the letter {@code which} names, runs {@code action}. */
    private static void onLetter(final SealstreamCli.Io io, final ServiceOptions service, final Common common,
                                 final Source which, final LetterAction action) throws Exception {
        final Map<String, String> environment = service.environment(io);
        final Map<String, String> settings = service.settings(environment);
        final String actor = service.actor(environment);
        try (SealstreamRuntime runtime = SealstreamRuntime.forTool(settings, environment, actor, "dlq");
             KafkaAuditLog audit = KafkaAuditLog.open(settings, runtime.pipeline().applicationId() + "-dlq")) {
            action.run(runtime, audit, actor, find(settings, common.topic(settings), which.source, common.timeout));
        }
    }

    @Command(name = "show", description = "Write the original value of one dead letter to a file (unsealed under "
            + "the quarantine KEK; audited).")
    static final class Show extends IoAware implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Mixin
        Common common;
        @Mixin
        Source which;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The original value, or - for "
                + "stdout.")
        String out;

        @Override
        public Integer call() throws Exception {
            onLetter(io, service, common, which, (runtime, audit, actor, letter) -> {
                final byte[] value = unsealAudited(runtime, audit, actor, letter, DeadLetterSealing.PART_VALUE);
                audit.record(audit(runtime, actor, letter, AuditOutcome.SUCCESS, "dead letter value released to "
                        + (out.equals("-") ? "stdout" : "a file")));
                try (StreamTarget.Output target = StreamTarget.create(out, io)) {
                    if (value != null) {
                        target.write(value);
                    }
                    target.commit();
                }
                io.stderr().println("sealstream: " + (value == null ? 0 : value.length) + " bytes of " + letter.source()
                        + (letter.letter().getValueTruncated() ? " (the first bytes only: the whole record is at "
                        + letter.source() + " while the topic keeps it)" : ""));
            });
            return 0;
        }
    }

    @Command(name = "replay", description = "Send a dead letter's original key, value and headers back to the uploads "
            + "topic (unsealed under the quarantine KEK; audited). Refused when the letter kept only part of the value.")
    static final class Replay extends IoAware implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Mixin
        Common common;
        @Mixin
        Source which;
        @Option(names = "--value-file", paramLabel = "FILE", description = "Send this value instead of the original "
                + "(a fixed event, e.g. edited from dlq show's output).")
        Path valueFile;

        @Override
        public Integer call() throws Exception {
            onLetter(io, service, common, which, (runtime, audit, actor, letter) -> {
                final DeadLetter d = letter.letter();
                if (valueFile == null && (d.getValueTruncated() || d.getKeyTruncated())) {
                    throw new CliFailure("the dead letter of " + letter.source() + " kept only the first bytes of the "
                            + "record; replay the original from " + letter.source() + " or pass --value-file",
                            SealstreamCli.EXIT_FAILURE);
                }
                final byte[] key = unsealAudited(runtime, audit, actor, letter, DeadLetterSealing.PART_KEY);
                final byte[] value = valueFile != null ? java.nio.file.Files.readAllBytes(valueFile)
                        : unsealAudited(runtime, audit, actor, letter, DeadLetterSealing.PART_VALUE);
                final RecordHeaders headers = new RecordHeaders();
                for (final DeadLetterHeader h : d.getHeaders()) {
                    headers.add(h.getKey(), h.getValue() == null ? null : bytes(h.getValue()));
                }
                headers.add("sealstream-replayed-from", letter.source().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                final String uploads = runtime.pipeline().topics().uploads();
                audit.record(audit(runtime, actor, letter, AuditOutcome.SUCCESS, "dead letter replayed to " + uploads
                        + (valueFile != null ? " with a replacement value" : "")));
                final Map<String, Object> props = ClientConfigs.producer(runtime.settings());
                props.put("acks", "all");
                props.put("enable.idempotence", true);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    final var sent = producer.send(new ProducerRecord<>(uploads, null, key, value, headers))
                            .get(common.timeout.toMillis(), TimeUnit.MILLISECONDS);
                    io.stderr().println("sealstream: replayed " + letter.source() + " to " + uploads + "/"
                            + sent.partition() + "@" + sent.offset());
                }
            });
            return 0;
        }

        private static byte[] bytes(final ByteBuffer b) {
            final byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
    }
}
