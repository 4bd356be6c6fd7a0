package io.sealstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.app.TopicProvisioner;
import io.sealstream.events.DataKeyRecord;
import io.sealstream.events.RewrapJobState;
import io.sealstream.events.RewrapJobStatus;
import io.sealstream.events.RotationEvent;
import io.sealstream.events.RotationKind;
import io.sealstream.keys.DekRecords;
import io.sealstream.keys.KeyTopics;
import io.sealstream.keys.RegisteringKeyManagementService;
import io.sealstream.keys.kafka.KafkaDekRegistry;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-wrap job run by {@code sealstream rotate} in its own JVM, killed with SIGKILL halfway and started again with
 * the same job id: it resumes after its last committed batch and ends with every data key re-wrapped once in effect
 * (one committed DEK_REWRAPPED per data key, every registry entry under the new version).
 */
class RewrapJobCrashIT {

    private static final int DEKS = 30;

    @TempDir
    Path dir;

    @Test
    void aJobKilledHalfwayAndRestartedRewrapsEachDataKeyOnce() throws Exception {
        final PipelineFixture f = new PipelineFixture(dir);
        final PipelineConfig pipeline = PipelineConfig.fromConfig(f.config);
        final KeyTopics keyTopics = KeyTopics.fromConfig(f.config);
        TopicProvisioner.ensureLifecycleTopics(f.config, pipeline, keyTopics);
        // A registry topic that deletes by time is refused: its entries can be the only way into objects.
        final String timeLimited = "deks-deleting-" + f.id;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", f.config.get("bootstrap.servers")))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(timeLimited, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "delete", "retention.ms", "604800000")))).all().get();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopicProvisioner.requireKeptForever(f.config,
                List.of(keyTopics.deks(), timeLimited))).hasMessageContaining("topic " + timeLimited + " has cleanup.policy=delete");
        TopicProvisioner.requireKeptForever(f.config, List.of(keyTopics.deks(), keyTopics.jobs()));

        // 30 data keys registered the way the pipeline registers them, then the KEK gets a new version.
        final Set<String> dekIds = new HashSet<>();
        try (LocalKeyStoreKms local = LocalKeyStoreKms.open(f.keystore, PipelineFixture.PASSPHRASE.toCharArray());
             KafkaDekRegistry registry = new KafkaDekRegistry(f.config, keyTopics.deks(), "it-writer")) {
            final RegisteringKeyManagementService kms = new RegisteringKeyManagementService(local, registry, "it", Clock.systemUTC());
            for (int i = 0; i < DEKS; i++) {
                try (DataKey key = kms.generateDataKey(PipelineFixture.ACME_KEK)) {
                    dekIds.add(key.dekId());
                }
            }
            local.rotateKey(PipelineFixture.ACME_KEK);
        }

        final Path config = dir.resolve("sealstream.properties");
        final Properties p = new Properties();
        f.config.forEach(p::setProperty);
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "RewrapJobCrashIT");
        }
        final List<String> rotate = List.of("rotate", "--config", config.toString(), "--job-id", "crash-job",
                "--kek", PipelineFixture.ACME_KEK, "--batch-size", "2", "--pause", "400ms");

        // First run: killed once a few batches have committed.
        final Path log1 = dir.resolve("rotate-1.log");
        final Process first = start(rotate, log1);
        final List<ConsumerRecord<byte[], RotationEvent>> progress = f.readUntil(f.topics.rotation(), RotationEvent.class,
                r -> r.stream().filter(e -> e.value().getKind() == RotationKind.JOB_PROGRESS).count() >= 3,
                Duration.ofMinutes(2));
        first.destroyForcibly().waitFor();
        assertThat(first.exitValue()).as("killed, not finished").isNotZero();
        final long rewrappedAtKill = progress.stream().filter(e -> e.value().getKind() == RotationKind.DEK_REWRAPPED).count();
        assertThat(rewrappedAtKill).as("killed mid-job").isBetween(6L, (long) DEKS - 2);

        // Second run, same job id: resumes and completes.
        final Path log2 = dir.resolve("rotate-2.log");
        final Process second = start(rotate, log2);
        assertThat(second.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        final String out = Files.readString(log2, StandardCharsets.UTF_8);
        assertThat(second.exitValue()).as(out).isZero();
        assertThat(out).contains("job crash-job found: RUNNING", "resuming", "job crash-job COMPLETED", DEKS + " re-wrapped");

        // Exactly one committed DEK_REWRAPPED per data key, and every registry entry under the new version.
        final List<RotationEvent> events = f.readUntil(f.topics.rotation(), RotationEvent.class,
                r -> r.stream().anyMatch(e -> e.value().getKind() == RotationKind.JOB_COMPLETED), Duration.ofMinutes(1))
                .stream().map(ConsumerRecord::value).toList();
        final Map<String, Long> perDek = events.stream().filter(e -> e.getKind() == RotationKind.DEK_REWRAPPED)
                .collect(Collectors.groupingBy(RotationEvent::getDekId, Collectors.counting()));
        assertThat(perDek.keySet()).isEqualTo(dekIds);
        assertThat(perDek.values()).containsOnly(1L);
        try (KafkaDekRegistry registry = new KafkaDekRegistry(f.config, keyTopics.deks(), "it-reader")) {
            registry.refresh();
            final List<DataKeyRecord> entries = registry.entries();
            assertThat(entries).hasSize(DEKS).allSatisfy(e -> {
                assertThat(e.getKek().getVersion()).isEqualTo("2");
                assertThat(DekRecords.versionsHolding(e)).extracting(v -> v.version()).containsExactly("1", "2");
            });
        }
        final List<RewrapJobState> states = f.readUntil(keyTopics.jobs(), RewrapJobState.class,
                r -> r.stream().anyMatch(e -> e.value().getStatus() == RewrapJobStatus.COMPLETED), Duration.ofMinutes(1))
                .stream().map(ConsumerRecord::value).toList();
        assertThat(states.get(states.size() - 1).getDeksRewrapped()).isEqualTo(DEKS);
        System.out.printf("RewrapJobCrashIT: %d of %d data keys re-wrapped (committed) at the kill; %d DEK_REWRAPPED records in "
                + "the log including aborted ones, %d committed%n", rewrappedAtKill, DEKS,
                f.countUncommitted(f.topics.rotation()) - events.size() + perDek.size(), perDek.size());
    }

    private Process start(final List<String> args, final Path log) throws IOException {
        final List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                System.getProperty("sealstream.jar")));
        cmd.addAll(args);
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(LocalKeyStoreKms.PASSPHRASE_ENV, PipelineFixture.PASSPHRASE);
        final Process process = pb.start();
        process.getOutputStream().close();
        return process;
    }
}
