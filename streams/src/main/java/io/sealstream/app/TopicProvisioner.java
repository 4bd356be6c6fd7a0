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

    static List<String> ensure(final Map<String, String> config, final List<String> topics) {
        final int partitions = Integer.parseInt(config.getOrDefault("sealstream.topic.partitions", "4"));
        final String rf = config.get("sealstream.topic.replication-factor");
        final Optional<Short> replication = rf == null || rf.isBlank() ? Optional.empty() : Optional.of(Short.parseShort(rf));
        try (Admin admin = Admin.create(ClientConfigs.admin(config))) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, Optional.of(partitions), replication));
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
