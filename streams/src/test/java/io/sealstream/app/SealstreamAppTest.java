package io.sealstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.pipeline.internals.TransientFailureException;
import io.sealstream.serde.SchemaRegistryUnavailableException;
import io.sealstream.store.ObjectStoreUnavailableException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

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
                .containsEntry("producer.transaction.timeout.ms", 300_000)
                .doesNotContainKey("sealstream.keys.default");
        final Properties overridden = SealstreamApp.streamsProperties(Map.of("num.stream.threads", "8",
                "application.id", "mine"));
        assertThat(overridden).containsEntry("num.stream.threads", "8").containsEntry("application.id", "mine");
    }
}
