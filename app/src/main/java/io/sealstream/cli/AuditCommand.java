package io.sealstream.cli;

import io.sealstream.audit.kafka.AuditTopicReader;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.audit.AuditTrailVerifier;
import io.sealstream.audit.AuditTrailVerifier.ExpectedHead;
import io.sealstream.audit.AuditTrailVerifier.PartitionSummary;
import io.sealstream.audit.AuditTrailVerifier.Problem;
import io.sealstream.pipeline.Topics;
import io.sealstream.config.EnvFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sealstream audit verify}: checks the hash-chained audit trail (docs/ARCHITECTURE.md, "Audit trail"). */
@Command(name = "audit", description = "Check the hash-chained audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditPublicKeyCommand.class})
public final class AuditCommand {

    /**
     * Reads every partition of the audit topic up to its end offsets at start and checks each hash chain. Exit 0
     * when every chain is intact, 3 when anything is wrong (one line per problem on stdout), 1 when the trail could
     * not be read at all, 2 for a usage error.
     */
    @Command(name = "verify", description = "Verify the audit topic's hash chains: reports every gap, edit, "
            + "reordering, duplicate, unchained or unreadable record; exit 3 if there is any.")
    static final class Verify extends IoAware implements Callable<Integer> {

        @Option(names = "--config", paramLabel = "FILE", description = "The pipeline's properties file (Kafka, "
                + "schema registry and sealstream.topic.* keys); environment variables override it.")
        Path config;
        @Option(names = "--env-file", paramLabel = "FILE", description = "NAME=value lines applied like environment "
                + "variables (e.g. DIR/stack.env from 'sealstream stack up'); the real environment wins.")
        Path envFile;
        @Option(names = "--topic", paramLabel = "TOPIC", description = "The audit topic. Default: "
                + "sealstream.topic.audit, else " + Topics.AUDIT + ".")
        String topic;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Overrides bootstrap.servers.")
        String bootstrapServers;
        @Option(names = "--registry-url", paramLabel = "URL", description = "Overrides schema.registry.url.")
        String registryUrl;
        @Option(names = "--expect-head", paramLabel = "PARTITION:SEQUENCE:HASH", description = "A head recorded "
                + "outside Kafka (as printed by an earlier run; repeatable): the trail must still contain it. "
                + "Without one, records removed from the end of a partition cannot be detected.")
        List<String> expectHeads = new ArrayList<>();
        @Option(names = "--accept-unchained-prefix", description = "Records before a partition's first chained "
                + "record are a warning, not UNCHAINED problems: for a trail begun before the audit chain existed.")
        boolean acceptUnchainedPrefix;
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT1M", description = "Give up when "
                + "Kafka makes no progress for this long. Default: ${DEFAULT-VALUE}.")
        Duration timeout;
        @Option(names = "--public-key", paramLabel = "FILE", description = "A PEM public key (from 'sealstream audit "
                + "public-key') trusted to sign checkpoints; repeatable (one per signing-key version). With it, only "
                + "records covered by a validly signed checkpoint are accepted.")
        List<Path> publicKeys = new ArrayList<>();
        @Option(names = "--signing-key", paramLabel = "KEY_ID", description = "Trust every version of this KMS signing "
                + "key (sealstream.audit.signing-key), its public keys read from the KMS the configuration names. An "
                + "auditor independent of the KMS's administrators keeps a key file instead (--public-key).")
        String signingKey;
        @Option(names = "--checkpoints", paramLabel = "FILE", description = "Check against checkpoints exported "
                + "earlier (kept outside Kafka) instead of the checkpoint topic <topic>.checkpoints.")
        Path checkpointsFile;
        @Option(names = "--export-checkpoints", paramLabel = "FILE", description = "Write the checkpoints read from "
                + "the checkpoint topic to FILE (one line each), to archive outside Kafka.")
        Path exportCheckpoints;
        @Option(names = "--json", description = "Print the report as one JSON object (partitions, problems, verdict) "
                + "instead of lines; the exit code is the same.")
        boolean json;
        @Option(names = "--max-problems", paramLabel = "N", defaultValue = "1000", description = "Print at most N "
                + "problem lines (all are counted). Default: ${DEFAULT-VALUE}.")
        int maxProblems;

        @Override
        public Integer call() throws Exception {
            final List<ExpectedHead> heads = new ArrayList<>();
            for (String h : expectHeads) {
                try {
                    heads.add(ExpectedHead.parse(h));
                } catch (final IllegalArgumentException e) {
                    throw new CliFailure("--expect-head: " + e.getMessage(), SealstreamCli.EXIT_USAGE);
                }
            }
            final Map<String, String> environment = new HashMap<>();
            if (envFile != null) {
                environment.putAll(EnvFile.parse(envFile));
            }
            environment.putAll(io.environment());
            final Map<String, String> settings;
            try {
                settings = SealstreamConfig.load(config, environment);
            } catch (final java.nio.file.NoSuchFileException e) {
                throw new CliFailure("no such config file: " + config, SealstreamCli.EXIT_USAGE);
            }
            if (bootstrapServers != null) {
                settings.put("bootstrap.servers", bootstrapServers);
            }
            if (registryUrl != null) {
                settings.put("schema.registry.url", registryUrl);
            }
            if (!settings.containsKey("bootstrap.servers")) {
                throw new CliFailure("bootstrap.servers is not set (--bootstrap-servers, --config or "
                        + "$KAFKA_BOOTSTRAP_SERVERS)", SealstreamCli.EXIT_USAGE);
            }
            if (!settings.containsKey("schema.registry.url")) {
                throw new CliFailure("schema.registry.url is not set (--registry-url, --config or $SCHEMA_REGISTRY_URL)",
                        SealstreamCli.EXIT_USAGE);
            }
            final String auditTopic = topic != null ? topic : Topics.fromConfig(settings).audit();
            final List<java.security.PublicKey> trusted = new ArrayList<>();
            for (final Path key : publicKeys) {
                trusted.add(PublicKeyFiles.read(key));
            }
            if (signingKey != null) {
                trusted.addAll(publicKeysFromKms(settings, environment, signingKey));
            }
            List<String> checkpointLines = List.of();
            if (checkpointsFile != null) {
                checkpointLines = java.nio.file.Files.readAllLines(checkpointsFile);
            } else if (!trusted.isEmpty() || exportCheckpoints != null) {
                checkpointLines = AuditTopicReader.readLines(settings, auditTopic + Topics.CHECKPOINTS_SUFFIX, timeout);
            }
            if (exportCheckpoints != null) {
                java.nio.file.Files.write(exportCheckpoints, checkpointLines);
                io.stderr().println("sealstream: " + checkpointLines.size() + " checkpoints written to "
                        + exportCheckpoints);
            }
            final AuditTrailVerifier.Report report = AuditTopicReader.verify(settings, auditTopic,
                    new AuditTrailVerifier(auditTopic, heads, acceptUnchainedPrefix, trusted.isEmpty() ? null
                            : new AuditTrailVerifier.Checkpoints(trusted, checkpointLines)), timeout);
            if (json) {
                io.stdout().println(json(auditTopic, report, !trusted.isEmpty()));
            } else {
                print(io.stdout(), auditTopic, report, maxProblems, !heads.isEmpty() || !trusted.isEmpty());
            }
            if (trusted.isEmpty() && !json) {
                io.stdout().println("note: checkpoints not checked: without --public-key anyone who can produce to "
                        + auditTopic + " can append records that verify");
            }
            if (!report.clean()) {
                throw new CliFailure("audit trail " + auditTopic + " failed verification: " + report.problems().size()
                        + (report.problems().size() == 1 ? " problem" : " problems"), SealstreamCli.EXIT_REJECTED);
            }
            return 0;
        }
    }

    /** The report as one JSON object, for scripts and monitoring; every problem is listed. */
    static String json(final String topic, final AuditTrailVerifier.Report report, final boolean checkpointsChecked) {
        final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        final com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        root.put("topic", topic);
        root.put("clean", report.clean());
        root.put("records", report.records());
        root.put("checkpointsChecked", checkpointsChecked);
        final com.fasterxml.jackson.databind.node.ArrayNode partitions = root.putArray("partitions");
        for (final PartitionSummary p : report.partitions()) {
            final com.fasterxml.jackson.databind.node.ObjectNode node = partitions.addObject();
            node.put("partition", p.partition());
            node.put("records", p.records());
            if (p.lastSequence() != null) {
                node.put("firstSequence", p.firstSequence());
                node.put("lastSequence", p.lastSequence());
                node.put("head", p.anchor());
            }
            final com.fasterxml.jackson.databind.node.ArrayNode warnings = node.putArray("warnings");
            p.warnings().forEach(warnings::add);
        }
        final com.fasterxml.jackson.databind.node.ArrayNode problems = root.putArray("problems");
        for (final Problem p : report.problems()) {
            final com.fasterxml.jackson.databind.node.ObjectNode node = problems.addObject();
            node.put("kind", p.kind().name());
            node.put("partition", p.partition());
            if (p.offset() != AuditTrailVerifier.NO_OFFSET) {
                node.put("offset", p.offset());
            }
            if (p.sequence() != null) {
                node.put("sequence", p.sequence());
            }
            node.put("detail", p.detail());
        }
        root.put("summary", report.summary());
        return root.toString();
    }

    /** The public key of every version of {@code keyId}, from the configured KMS provider. */
    private static List<java.security.PublicKey> publicKeysFromKms(final Map<String, String> settings,
                                                                   final Map<String, String> environment,
                                                                   final String keyId) {
        try (io.sealstream.kms.KeyManagementService provider = io.sealstream.app.KmsProviders.open(settings, environment)) {
            final io.sealstream.kms.SigningKeys keys = io.sealstream.kms.KeyManagementServiceDecorator
                    .findRole(provider, io.sealstream.kms.SigningKeys.class)
                    .orElseThrow(() -> new CliFailure("--signing-key: KMS provider '" + provider.providerName()
                            + "' holds no signing keys", SealstreamCli.EXIT_KEY_ERROR));
            final List<java.security.PublicKey> out = new ArrayList<>();
            for (final String version : provider.describeKey(keyId).versions()) {
                out.add(keys.publicKey(new io.sealstream.kms.KekRef(provider.providerName(), keyId, version)));
            }
            return out;
        }
    }

    /** The report as the operator reads it: one line per partition, per warning and per problem, then a summary. */
    public static void print(final PrintStream out, final String topic, final AuditTrailVerifier.Report report,
                      final int maxProblems, final boolean anchored) {
        out.println("audit trail " + topic + ": " + report.partitions().size() + " partitions, read_committed up to"
                + " the end offsets at start");
        for (PartitionSummary p : report.partitions()) {
            if (p.records() == 0) {
                out.println("partition " + p.partition() + ": empty");
            } else if (p.lastSequence() == null) {
                out.println("partition " + p.partition() + ": " + records(p.records()) + ", none chained");
            } else {
                out.println("partition " + p.partition() + ": " + records(p.records()) + ", sequences "
                        + p.firstSequence() + ".." + p.lastSequence() + ", head " + p.anchor());
            }
        }
        for (PartitionSummary p : report.partitions()) {
            for (String w : p.warnings()) {
                out.println("WARNING partition " + p.partition() + ": " + SealstreamCli.printable(w));
            }
        }
        int shown = 0;
        for (Problem p : report.problems()) {
            if (shown++ == maxProblems) {
                out.println("... " + (report.problems().size() - maxProblems) + " more problems not shown");
                break;
            }
            out.println(p.kind() + " partition " + p.partition()
                    + (p.offset() == AuditTrailVerifier.NO_OFFSET ? "" : " offset " + p.offset())
                    + (p.sequence() == null ? "" : " sequence " + p.sequence()) + ": " + SealstreamCli.printable(p.detail()));
        }
        out.println("audit verify: " + report.summary());
        if (report.clean() && !anchored) {
            out.println("note: records removed from the end of a partition are detected only against heads kept "
                    + "outside Kafka (--expect-head) or signed checkpoints (--public-key)");
        }
    }

    private static String records(final long n) {
        return n + (n == 1 ? " record" : " records");
    }
}
