package io.sealstream.keys;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The key-lifecycle topics. Defaults: {@code sealstream.deks} (the DEK registry, compacted),
 * {@code sealstream.commands} (re-wrap job submissions) and {@code sealstream.jobs} (job checkpoints, compacted).
 * Configured with {@code sealstream.topic.deks|commands|jobs}.
 */
public record KeyTopics(String deks, String commands, String jobs) {

    public static final String DEKS = "sealstream.deks";
    public static final String COMMANDS = "sealstream.commands";
    public static final String JOBS = "sealstream.jobs";

    public KeyTopics {
        Objects.requireNonNull(deks, "deks");
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(jobs, "jobs");
        if (List.of(deks, commands, jobs).stream().distinct().count() != 3) {
            throw new IllegalArgumentException("the key-lifecycle topics must be distinct");
        }
    }

    public static KeyTopics defaults() {
        return new KeyTopics(DEKS, COMMANDS, JOBS);
    }

    public static KeyTopics fromConfig(final Map<String, ?> config) {
        return new KeyTopics(LifecycleConfigKeys.TOPIC_DEKS.get(config), LifecycleConfigKeys.TOPIC_COMMANDS.get(config),
                LifecycleConfigKeys.TOPIC_JOBS.get(config));
    }

    /** Topics that must be compacted: each keeps the latest entry per key forever. */
    public List<String> compacted() {
        return List.of(deks, jobs);
    }

    public List<String> all() {
        return List.of(deks, commands, jobs);
    }
}
