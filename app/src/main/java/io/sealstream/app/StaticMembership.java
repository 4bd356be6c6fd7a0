package io.sealstream.app;

import io.sealstream.pipeline.PipelineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Static group membership by default ({@code sealstream.static-membership}, default true): each instance joins its
 * group with a {@code group.instance.id} of its own that survives restarts, so an instance killed and started again
 * takes its partitions straight back, without a rebalance and without waiting for its old session to expire.
 *
 * <p>The id must be unique among running instances (two instances with one id fence each other) and stable across an
 * instance's restarts. Both hold for {@code <sealstream.instance-id>-<random suffix kept in the state directory>}: the
 * state directory already has to be an instance's own (Kafka Streams locks it and keeps its process id there), and it
 * is what survives a restart. An explicit {@code group.instance.id} wins.
 */
final class StaticMembership {

    static final String FILE_SUFFIX = ".sealstream-instance";

    private StaticMembership() {
    }

    static void apply(final Properties streamsProps, final Map<String, String> config, final PipelineConfig pipeline) {
        if (streamsProps.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
                || !AppConfigKeys.STATIC_MEMBERSHIP.get(config)) {
            return;
        }
        final Path stateDir = Path.of(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG));
        streamsProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                pipeline.instanceId() + "-" + suffix(stateDir, pipeline.applicationId()));
    }

    /** The random suffix kept in {@code stateDir} for this application, created on first use. */
    static String suffix(final Path stateDir, final String applicationId) {
        final Path file = stateDir.resolve(applicationId.replaceAll("[^A-Za-z0-9._-]", "_") + FILE_SUFFIX);
        try {
            if (Files.isRegularFile(file)) {
                final String kept = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (kept.matches("[0-9a-f]{12}")) {
                    return kept;
                }
            }
            Files.createDirectories(stateDir);
            final byte[] random = new byte[6];
            new SecureRandom().nextBytes(random);
            final String made = HexFormat.of().formatHex(random);
            final Path tmp = Files.createTempFile(stateDir, ".instance", ".tmp");
            Files.writeString(tmp, made + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return made;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot keep the instance id in " + stateDir + ": " + e.getMessage(), e);
        }
    }
}
