package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.pipeline.TransientFailureException;
import io.sealstream.serde.SchemaRegistryUnavailableException;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.pipeline.PipelineConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the app does with a failed stream thread, and the Kafka Streams defaults it sets. */
class SealstreamAppTest {

    @Test
    void aDependencyOutageAnywhereInTheCauseChainReplacesTheThreadAndABugStopsTheApp() {
        assertThat(SealstreamApp.isTransient(new StreamsException(new TransientFailureException("down", null)))).isTrue();
        assertThat(SealstreamApp.isTransient(new StreamsException("serialise",
                new SchemaRegistryUnavailableException("registry unreachable", 503, 50301, null)))).isTrue();
        assertThat(SealstreamApp.isTransient(new StreamsException(new KmsUnavailableException("kms down")))).isTrue();
        assertThat(SealstreamApp.isTransient(new StreamsException(new java.io.UncheckedIOException(
                new ObjectStoreUnavailableException("s3 down", null))))).isTrue();

        assertThat(SealstreamApp.isTransient(new StreamsException(new IllegalStateException("bug")))).isFalse();
        assertThat(SealstreamApp.isTransient(new StreamsException(new KeyNotFoundException("no such key")))).isFalse();
    }

    @Test
    void exactlyOnceAndAStableStateDirectoryAreTheDefaultsAndTheConfigWins() {
        final Properties defaults = SealstreamApp.streamsProperties(Map.of("bootstrap.servers", "b:9092",
                "sealstream.keys.default", "k"));
        assertThat(defaults).containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("application.id", "sealstream")
                .containsEntry("state.dir", "data/state")
                .containsEntry("transaction.timeout.ms", 120_000)
                .containsEntry("session.timeout.ms", 6_000)
                .containsEntry("heartbeat.interval.ms", 1_500)
                .containsEntry("num.standby.replicas", 1)
                .doesNotContainKey("sealstream.keys.default");
        final Properties overridden = SealstreamApp.streamsProperties(Map.of("num.stream.threads", "8",
                "application.id", "mine"));
        assertThat(overridden).containsEntry("num.stream.threads", "8").containsEntry("application.id", "mine");
        assertThat(SealstreamApp.streamsProperties(Map.of("session.timeout.ms", "45000", "transaction.timeout.ms", "300000")))
                .containsEntry("session.timeout.ms", "45000").containsEntry("transaction.timeout.ms", "300000");
    }

    @Test
    void eachInstanceGetsAStaticMemberIdThatSurvivesItsRestartsAndDiffersFromEveryOtherStateDirectorys(
            @TempDir final Path dir) {
        final Map<String, String> config = Map.of("application.id", "app", "sealstream.instance-id", "host-1",
                "state.dir", dir.resolve("a").toString(), "sealstream.keys.default", "k");
        final PipelineConfig pipeline = PipelineConfig.fromConfig(config);
        final Properties first = SealstreamApp.streamsProperties(config);
        StaticMembership.apply(first, config, pipeline);
        final Properties restarted = SealstreamApp.streamsProperties(config);
        StaticMembership.apply(restarted, config, pipeline);
        assertThat(first.getProperty("group.instance.id")).matches("host-1-[0-9a-f]{12}")
                .isEqualTo(restarted.getProperty("group.instance.id"));

        // A second instance on the same host (its own state directory, as Kafka Streams requires) gets another id.
        final Map<String, String> second = new java.util.HashMap<>(config);
        second.put("state.dir", dir.resolve("b").toString());
        final Properties other = SealstreamApp.streamsProperties(second);
        StaticMembership.apply(other, second, pipeline);
        assertThat(other.getProperty("group.instance.id")).startsWith("host-1-")
                .isNotEqualTo(first.getProperty("group.instance.id"));

        // An explicit id wins, and static membership can be turned off.
        final Map<String, String> explicit = new java.util.HashMap<>(config);
        explicit.put("group.instance.id", "mine");
        final Properties mine = SealstreamApp.streamsProperties(explicit);
        StaticMembership.apply(mine, explicit, pipeline);
        assertThat(mine.getProperty("group.instance.id")).isEqualTo("mine");
        final Map<String, String> off = new java.util.HashMap<>(config);
        off.put("sealstream.static-membership", "false");
        final Properties dynamic = SealstreamApp.streamsProperties(off);
        StaticMembership.apply(dynamic, off, pipeline);
        assertThat(dynamic).doesNotContainKey("group.instance.id");
    }

    @Test
    void theProcessIdIsReadFromAStreamThreadsConsumerClientIdOnlyInKafkaStreamsFormat() {
        final String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assertThat(AbandonedTransactionFencer.processIdOfClient("sealstream", "sealstream-" + uuid
                + "-StreamThread-2-consumer")).contains(uuid);
        assertThat(AbandonedTransactionFencer.processIdOfClient("sealstream", "other-" + uuid
                + "-StreamThread-2-consumer")).isEmpty();
        assertThat(AbandonedTransactionFencer.processIdOfClient("sealstream", "my-client-StreamThread-1-consumer"))
                .isEmpty();
    }
}
