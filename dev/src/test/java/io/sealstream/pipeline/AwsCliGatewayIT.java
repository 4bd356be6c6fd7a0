package io.sealstream.pipeline;

import static io.sealstream.pipeline.PipelineFixture.inline;
import static io.sealstream.pipeline.PipelineFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.SealstreamApp;
import io.sealstream.events.AuditAction;
import io.sealstream.events.AuditEvent;
import io.sealstream.events.AuditOutcome;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sealstream gateway} as a user runs it (its own JVM, the pipeline's properties file), read with the AWS CLI,
 * a client written in another language on another SDK (Python, botocore), exactly as the README shows it:
 * {@code aws s3 cp} (which splits large downloads into ranged GETs), {@code aws s3 ls}, {@code aws s3api get-object
 * --range}; a wrong secret is refused; every read is a DECRYPT event naming the principal. Skipped without the AWS
 * CLI, except in CI ({@code SEALSTREAM_REQUIRE_AWSCLI=1}), which installs it.
 */
class AwsCliGatewayIT {

    private static final String KEY_ID = "AKIDCLIREADER";
    private static final String SECRET = "cli-reader-secret-0123456789";

    @TempDir
    Path dir;

    @Test
    void theAwsCliReadsDecryptedObjectsThroughTheGateway() throws Exception {
        final boolean required = "1".equals(System.getenv("SEALSTREAM_REQUIRE_AWSCLI"));
        final boolean present = run(dir, Map.of(), Duration.ofSeconds(60), "aws", "--version").exitCode() == 0;
        if (required) {
            assertThat(present).as("the AWS CLI (aws) is required here").isTrue();
        }
        Assumptions.assumeTrue(present, "the AWS CLI (aws) is not installed");

        final PipelineFixture f = new PipelineFixture(dir);
        final Map<String, byte[]> sha = new HashMap<>();
        try (ObjectStore store = f.store(); SealstreamApp app = f.watch(SealstreamApp.start(f.config, f.env))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            try (KafkaProducer<byte[], byte[]> producer = f.producer()) {
                // 20 MiB: the CLI downloads it in 8 MiB ranged GETs, several at once
                f.send(producer, upload("cli-big", "acme", "reports/q1 report.pdf",
                        f.stage(store, "q1 report.pdf", 20L << 20, sha)));
                final byte[] small = "a plus, an equals sign and an umlaut\n".getBytes(StandardCharsets.UTF_8);
                sha.put("a+b=ü.txt", PipelineFixture.sha256().digest(small));
                f.send(producer, upload("cli-small", "acme", "a+b=ü.txt", inline(small)));
                f.send(producer, upload("cli-globex", "globex", "theirs.txt", inline(small)));
            }
            f.readUntil(f.topics.objects(), ObjectEncrypted.class, r -> r.size() >= 3, Duration.ofMinutes(2));
            // the pipeline keeps running: its chainer moves the gateway's audit events onto the audit topic
            readThroughTheGateway(f, sha);
        }
    }

    private void readThroughTheGateway(final PipelineFixture f, final Map<String, byte[]> sha) throws Exception {
        final Path config = dir.resolve("gateway.properties");
        final Properties props = new Properties();
        props.putAll(f.config);
        props.put("sealstream.gateway.bucket.docs", "acme/it");
        props.put("sealstream.gateway.bucket.their-docs", "globex/it");
        props.put("sealstream.gateway.principal.cli-reader.access-key-id", KEY_ID);
        props.put("sealstream.gateway.principal.cli-reader.secret-access-key", SECRET);
        props.put("sealstream.gateway.principal.cli-reader.grants", "acme/it");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "AwsCliGatewayIT");
        }
        final Path log = dir.resolve("gateway.log");
        final ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", System.getProperty("sealstream.jar"), "gateway", "--config", config.toString(),
                "--listen", "127.0.0.1:0", "--actor", "it").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, PipelineFixture.PASSPHRASE);
        final Process gateway = pb.start();
        try {
            final String endpoint = awaitEndpoint(gateway, log);
            final Map<String, String> cli = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", KEY_ID,
                    "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_DEFAULT_REGION", "us-east-1",
                    "AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString(),
                    "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString()));

            // the README's command
            final Path big = dir.resolve("q1.pdf");
            final ProcessResult cp = run(dir, cli, Duration.ofMinutes(2), "aws", "s3", "cp",
                    "s3://docs/reports/q1 report.pdf", big.toString(), "--endpoint-url", endpoint);
            assertThat(cp.exitCode()).as(cp.output()).isZero();
            assertThat(PipelineFixture.sha256().digest(Files.readAllBytes(big))).isEqualTo(sha.get("q1 report.pdf"));

            final Path small = dir.resolve("small.txt");
            final ProcessResult cpSmall = run(dir, cli, Duration.ofMinutes(1), "aws", "s3", "cp", "s3://docs/a+b=ü.txt",
                    small.toString(), "--endpoint-url", endpoint);
            assertThat(cpSmall.exitCode()).as(cpSmall.output()).isZero();
            assertThat(PipelineFixture.sha256().digest(Files.readAllBytes(small))).isEqualTo(sha.get("a+b=ü.txt"));

            final ProcessResult ls = run(dir, cli, Duration.ofMinutes(1), "aws", "s3", "ls", "--recursive", "s3://docs/",
                    "--endpoint-url", endpoint);
            assertThat(ls.exitCode()).as(ls.output()).isZero();
            assertThat(ls.output()).contains(" 20971520 reports/q1 report.pdf").contains("a+b=ü.txt");

            final Path last = dir.resolve("last-byte");
            final ProcessResult range = run(dir, cli, Duration.ofMinutes(1), "aws", "s3api", "get-object", "--bucket",
                    "docs", "--key", "reports/q1 report.pdf", "--range", "bytes=-1", last.toString(), "--endpoint-url",
                    endpoint);
            assertThat(range.exitCode()).as(range.output()).isZero();
            assertThat(range.output()).contains("bytes 20971519-20971519/20971520");
            assertThat(Files.size(last)).isEqualTo(1);

            final Map<String, String> wrong = new HashMap<>(cli);
            wrong.put("AWS_SECRET_ACCESS_KEY", "not-the-secret-0123456789");
            final ProcessResult refused = run(dir, wrong, Duration.ofMinutes(1), "aws", "s3", "cp",
                    "s3://docs/a+b=ü.txt", dir.resolve("refused").toString(), "--endpoint-url", endpoint);
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("403");
            final ProcessResult otherTenant = run(dir, cli, Duration.ofMinutes(1), "aws", "s3", "cp",
                    "s3://their-docs/theirs.txt", dir.resolve("theirs").toString(), "--endpoint-url", endpoint);
            assertThat(otherTenant.exitCode()).isNotZero();
            assertThat(otherTenant.output()).contains("403");

            final List<ConsumerRecord<byte[], AuditEvent>> audit = f.readUntil(f.topics.audit(), AuditEvent.class,
                    r -> r.stream().anyMatch(e -> e.value().getAction() == AuditAction.DECRYPT
                            && e.value().getOutcome() == AuditOutcome.FAILURE && "globex".equals(e.value().getTenant())),
                    Duration.ofMinutes(1));
            final List<AuditEvent> decrypts = new ArrayList<>();
            audit.forEach(r -> {
                if (r.value().getAction() == AuditAction.DECRYPT) {
                    decrypts.add(r.value());
                }
            });
            assertThat(decrypts).filteredOn(e -> e.getOutcome() == AuditOutcome.SUCCESS)
                    .isNotEmpty().allSatisfy(e -> {
                        assertThat(e.getActor()).isEqualTo("cli-reader");
                        assertThat(e.getTenant()).isEqualTo("acme");
                        assertThat(e.getDekId()).isNotBlank();
                    });
            assertThat(decrypts).anySatisfy(e -> {
                assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
                assertThat(e.getReasonCode()).isEqualTo("ACCESS_DENIED");
                assertThat(e.getActor()).isEqualTo("cli-reader");
            });

            gateway.destroy();
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(gateway.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            gateway.destroyForcibly();
            gateway.waitFor();
        }
    }

    private static String awaitEndpoint(final Process gateway, final Path log) throws Exception {
        final Pattern listening = Pattern.compile("S3 gateway listening on (https?://\\S+)");
        final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            final Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return m.group(1);
            }
            if (!gateway.isAlive()) {
                throw new AssertionError("the gateway exited: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway did not start: " + Files.readString(log));
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private static ProcessResult run(final Path dir, final Map<String, String> env, final Duration timeout,
                                     final String... command) throws IOException, InterruptedException {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Path out = Files.createTempFile(dir, "cli", ".log");
        pb.redirectOutput(out.toFile());
        final Process p;
        try {
            p = pb.start();
        } catch (final IOException e) {
            return new ProcessResult(-1, e.getMessage());
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return new ProcessResult(-1, "timed out: " + Files.readString(out));
        }
        return new ProcessResult(p.exitValue(), Files.readString(out));
    }
}
