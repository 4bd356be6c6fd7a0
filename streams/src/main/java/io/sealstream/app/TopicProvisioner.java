package io.sealstream.app;

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
final class TopicProvisioner {

    private TopicProvisioner() {
    }

    static List<String> ensure(final Map<String, String> config, final Topics topics) {
        final int partitions = Integer.parseInt(config.getOrDefault("sealstream.topic.partitions", "4"));
        final String rf = config.get("sealstream.topic.replication-factor");
        final Optional<Short> replication = rf == null || rf.isBlank() ? Optional.empty() : Optional.of(Short.parseShort(rf));
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final int auditPartitions = existing.contains(topics.audit())
                    ? partitionCount(admin, topics.audit()) : partitions;
            final List<NewTopic> missing = new ArrayList<>();
            for (String t : topics.all()) {
                if (!existing.contains(t)) {
                    final int count = t.equals(topics.auditPending()) ? auditPartitions : partitions;
                    missing.add(new NewTopic(t, Optional.of(count), replication));
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

    private static int partitionCount(final Admin admin, final String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS)
                .get(topic);
        return d.partitions().size();
    }
}
