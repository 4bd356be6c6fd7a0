package io.sealstream.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics that do not exist yet ({@code sealstream.topic.create}, default true), with
 * {@code sealstream.topic.partitions} partitions (default 4) and {@code sealstream.topic.replication-factor}
 * (default: the broker's). Existing topics are left as they are.
 */
final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /** The topic out-of-pipeline writers send audit events to: the audit chainer's input. */
    public static String auditInputTopic(final Map<String, String> config, final io.sealstream.pipeline.PipelineConfig pipeline) {
        return config.getOrDefault("sealstream.topic.audit-pending", pipeline.topics().audit() + ".pending");
    }

    /** Makes sure the key-lifecycle topics exist (compacted where they must be) and the topics lifecycle tools write. */
    public static List<String> ensureLifecycleTopics(final Map<String, String> config,
                                                     final io.sealstream.pipeline.PipelineConfig pipeline,
                                                     final io.sealstream.keys.KeyTopics keyTopics) {
        if (!Boolean.parseBoolean(config.getOrDefault("sealstream.topic.create", "true"))) {
            return List.of();
        }
        final List<String> topics = new ArrayList<>(pipeline.topics().all());
        topics.addAll(keyTopics.all());
        return ensure(config, topics, java.util.Set.copyOf(keyTopics.compacted()));
    }

    static List<String> ensure(final Map<String, String> config, final List<String> topics) {
        return ensure(config, topics, java.util.Set.of());
    }

    static List<String> ensure(final Map<String, String> config, final List<String> topics,
                               final java.util.Set<String> compacted) {
        final int partitions = Integer.parseInt(config.getOrDefault("sealstream.topic.partitions", "4"));
        final String rf = config.get("sealstream.topic.replication-factor");
        final Optional<Short> replication = rf == null || rf.isBlank() ? Optional.empty() : Optional.of(Short.parseShort(rf));
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    final NewTopic topic = new NewTopic(t, Optional.of(partitions), replication);
                    if (compacted.contains(t)) {
                        // one entry per DEK or job, kept for as long as objects need it: never deleted by time
                        topic.configs(Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
                    }
                    missing.add(topic);
                }
            }
            final List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (final ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        } catch (final ExecutionException e) {
            throw new IllegalStateException("cannot create the pipeline's topics: " + e.getCause().getMessage(), e.getCause());
        } catch (final TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.get("bootstrap.servers")
                    + " to create the pipeline's topics (60 s)", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
