package io.sealstream.app;
import io.sealstream.pipeline.ClientConfigs;

import io.sealstream.pipeline.Topics;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics that do not exist yet ({@code sealstream.topic.create}, default true), with
 * {@code sealstream.topic.partitions} partitions (default 4) and {@code sealstream.topic.replication-factor}
 * (default: the broker's). Existing topics are left as they are, with one rule: the audit pending topic gets the
 * audit topic's partition count, whatever that is, and start-up fails if an existing pair differs, because the
 * chainer writes pending partition p to audit partition p.
 */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /**
     * Makes sure the pipeline's topics and the key-lifecycle topics exist (the registry and job checkpoints compacted,
     * kept without time limit), unless {@code sealstream.topic.create} is false.
     */
    public static List<String> ensureLifecycleTopics(final Map<String, String> config,
                                                     final io.sealstream.pipeline.PipelineConfig pipeline,
                                                     final io.sealstream.keys.KeyTopics keyTopics) {
        final List<String> more = new ArrayList<>(keyTopics.all());
        if (pipeline.notifications().enabled()) {
            more.add(pipeline.notifications().topic()); // an input Kafka Streams needs to exist before it starts
        }
        final List<String> created = AppConfigKeys.TOPIC_CREATE.get(config)
                ? ensure(config, pipeline.topics(), more, Set.copyOf(keyTopics.compacted()))
                : List.of();
        requireKeptForever(config, keyTopics.compacted());
        return created;
    }

    /**
     * The DEK registry must never lose an entry to time: after an old KEK version is destroyed it is the only way into
     * the objects it covers. Refuses to start against a registry or job topic that deletes by time.
     */
    public static void requireKeptForever(final Map<String, String> config, final List<String> topics) {
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final List<org.apache.kafka.common.config.ConfigResource> resources = topics.stream()
                    .map(t -> new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t)).toList();
            final var configs = describeConfigs(admin, resources);
            for (final var entry : configs.entrySet()) {
                final var policy = entry.getValue().get("cleanup.policy");
                final var retention = entry.getValue().get("retention.ms");
                final boolean compact = policy != null && policy.value() != null && policy.value().contains("compact");
                final boolean deletes = policy == null || policy.value() == null || policy.value().contains("delete");
                final boolean forever = retention != null && "-1".equals(retention.value());
                if (!compact || deletes && !forever) {
                    throw new IllegalStateException("topic " + entry.getKey().name() + " has cleanup.policy="
                            + (policy == null ? "?" : policy.value()) + ", retention.ms="
                            + (retention == null ? "?" : retention.value()) + ": the DEK registry and job topics must be "
                            + "compacted and never deleted by time (cleanup.policy=compact)");
                }
            }
        } catch (final ExecutionException e) {
            throw new IllegalStateException("cannot check the key-lifecycle topics " + topics + ": "
                    + e.getCause().getClass().getSimpleName() + " " + e.getCause().getMessage(), e.getCause());
        } catch (final TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.get("bootstrap.servers")
                    + " to check the key-lifecycle topics (60 s)", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        }
    }

    /**
     * Refuses to start when a dead letter or a chained audit event within the configured limits
     * ({@link io.sealstream.pipeline.RecordLimits}) could exceed what the producer ({@code max.request.size}) or the
     * dead-letter and audit topics ({@code max.message.bytes}) accept: such a record would fail its transaction and
     * stop the stream thread, and again after every restart.
     */
    public static void requireRecordsFit(final Map<String, String> config,
                                         final io.sealstream.pipeline.PipelineConfig pipeline) {
        final long producerMax = Long.parseLong(config.getOrDefault("producer.max.request.size",
                config.getOrDefault("max.request.size",
                        Integer.toString(io.sealstream.pipeline.RecordLimits.KAFKA_DEFAULT_MAX_REQUEST_SIZE))).trim());
        pipeline.limits().requireFits(producerMax, "the producer's max.request.size");
        final List<String> topics = List.of(pipeline.topics().deadLetters(), pipeline.topics().audit());
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final var resources = topics.stream().map(t -> new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t)).toList();
            for (final var entry : describeConfigs(admin, resources).entrySet()) {
                final var max = entry.getValue().get("max.message.bytes");
                if (max != null && max.value() != null) {
                    final long limit = Long.parseLong(max.value());
                    final String where = "topic " + entry.getKey().name() + "'s max.message.bytes";
                    if (entry.getKey().name().equals(pipeline.topics().deadLetters())) {
                        pipeline.limits().requireDeadLettersFit(limit, where);
                    } else {
                        pipeline.limits().requireAuditEventsFit(limit, where);
                    }
                }
            }
        } catch (final ExecutionException | TimeoutException e) {
            // Topics not there (created by someone else later): the producer's limit was checked above.
            org.slf4j.LoggerFactory.getLogger(TopicProvisioner.class).debug("cannot read max.message.bytes of {}: {}",
                    topics, String.valueOf(e));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        }
    }

    static List<String> ensure(final Map<String, String> config, final Topics topics) {
        return ensure(config, topics, List.of(), Set.of());
    }

    /**
     * Creates the topics of {@code topics} and {@code more} that are missing; those in {@code compacted} are compacted
     * and kept without time limit. Returns the names it created.
     */
    public static List<String> ensure(final Map<String, String> config, final Topics topics, final List<String> more,
                                      final Set<String> compacted) {
        final int partitions = AppConfigKeys.TOPIC_PARTITIONS.get(config);
        final Optional<Short> replication = Optional.ofNullable(AppConfigKeys.TOPIC_REPLICATION_FACTOR.get(config))
                .map(Integer::shortValue);
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final int auditPartitions = existing.contains(topics.audit())
                    ? partitionCount(admin, topics.audit()) : partitions;
            final List<NewTopic> missing = new ArrayList<>();
            final List<String> all = new ArrayList<>(topics.all());
            all.addAll(more);
            for (String t : all) {
                if (!existing.contains(t)) {
                    final int count = t.equals(topics.auditPending()) ? auditPartitions : partitions;
                    final NewTopic topic = new NewTopic(t, Optional.of(count), replication);
                    if (compacted.contains(t)) {
                        // one entry per DEK or job, needed for as long as the objects live: never deleted by time
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
            // A pending topic that already existed may have been made with another count (a topic created just now
            // has the audit topic's).
            if (existing.contains(topics.auditPending())) {
                final int pendingPartitions = partitionCount(admin, topics.auditPending());
                if (pendingPartitions != auditPartitions) {
                    throw new IllegalStateException(topics.audit() + " has " + auditPartitions + " partitions but "
                            + topics.auditPending() + " has " + pendingPartitions + ": the audit chain writes pending "
                            + "partition p to audit partition p, so both need the same count");
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

    /** A topic created a moment ago may not be known to every broker yet: ask again for a few seconds. */
    private static Map<org.apache.kafka.common.config.ConfigResource, org.apache.kafka.clients.admin.Config> describeConfigs(
            final Admin admin, final List<org.apache.kafka.common.config.ConfigResource> resources)
            throws ExecutionException, InterruptedException, TimeoutException {
        for (int attempt = 1; ; attempt++) {
            try {
                return admin.describeConfigs(resources).all().get(60, TimeUnit.SECONDS);
            } catch (final ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt == 20) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private static int partitionCount(final Admin admin, final String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS)
                .get(topic);
        return d.partitions().size();
    }
}
