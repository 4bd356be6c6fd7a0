package io.sealstream.stack;

import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft Kafka broker inside this JVM, from Kafka's own cluster test kit: what {@code sealstream demo}
 * runs on when nothing is installed. Transactions work (replication factor 1), so the pipeline runs exactly once
 * as it would on a real cluster. Not for production: one node, data under {@code baseDirectory}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(final KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start(final Path baseDirectory) throws Exception {
        final KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // The kit's default is an unreleased metadata level; pin the latest production one.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .setBaseDirectory(baseDirectory)
                .build())
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(2 * 1024 * 1024))
                .build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
        } catch (final Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** The kit's formatter prints its bootstrap records to stdout, which is the demo's report. */
    private static void formatQuietly(final KafkaClusterTestKit cluster) throws Exception {
        final java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
