package io.sealstream.app;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.time.Duration;
import io.sealstream.app.ops.OpsConfigKeys;
import java.util.List;

/**
 * The application's own settings, declared once: topic provisioning ({@link TopicProvisioner}), static membership
 * ({@link StaticMembership}) and failover ({@link SealstreamApp}, {@link BackgroundWork}).
 */
public final class AppConfigKeys implements ConfigKeySet {

    public static final ConfigKey<Boolean> TOPIC_CREATE = ConfigKey.bool("sealstream.topic.create", true,
            "Whether start-up creates the pipeline's and the key lifecycle's topics that are missing (the registry "
                    + "and job topics compacted, kept without time limit).");
    public static final ConfigKey<Integer> TOPIC_PARTITIONS = ConfigKey.integer("sealstream.topic.partitions", 4, 1,
            Integer.MAX_VALUE, "Partitions of the topics start-up creates; the audit pending topic always gets the "
                    + "audit topic's count. Existing topics are left as they are.");
    public static final ConfigKey<Integer> TOPIC_REPLICATION_FACTOR = ConfigKey.integer(
                    "sealstream.topic.replication-factor", null, 1, Short.MAX_VALUE,
                    "Replication factor of the topics start-up creates.")
            .withDefaultText("the broker's");

    public static final ConfigKey<Boolean> STATIC_MEMBERSHIP = ConfigKey.bool("sealstream.static-membership", true,
            "Static group membership: each instance joins with a `group.instance.id` of "
                    + "`<sealstream.instance-id>-<suffix kept in state.dir>`, so an instance restarted takes its "
                    + "partitions straight back, without a rebalance. An explicit `group.instance.id` wins.");

    public static final ConfigKey<Boolean> FENCE_ABANDONED_TRANSACTIONS = ConfigKey.bool(
            "sealstream.failover.fence-abandoned-transactions", true,
            "Survivors abort the open transactions of instances the group has dropped, instead of readers waiting "
                    + "for `transaction.timeout.ms`. Needs DESCRIBE and WRITE on the transactional ids "
                    + "`<application.id>-*`; does nothing when `client.id` is set.");
    public static final ConfigKey<Duration> FAILOVER_CHECK_INTERVAL = ConfigKey.duration(
            "sealstream.failover.check-interval", Duration.ofSeconds(1),
            "How often each instance looks for transactions that dead instances left open.").positive();

    public static final ConfigKey<Long> WARMUP_BYTES = ConfigKey.size("sealstream.warmup.bytes", 32L << 20,
            "Throwaway data (zeros under a random key, 4 KiB objects) encrypted at start on a background thread, so "
                    + "that the JIT compiles AES-GCM within the first few objects: a cold JVM encrypts at about 85 MiB/s "
                    + "until some 200 MiB have gone through it, then at 2+ GiB/s (docs/PERFORMANCE.md, \"Cold start\"). "
                    + "About 1.75 s of CPU once; 0 turns it off.");

    @Override
    public String title() {
        return "Application";
    }

    @Override
    public String module() {
        return "sealstream-app";
    }

    @Override
    public String description() {
        return "Topic provisioning, failover (docs/OPERATIONS.md, \"Failover and outages\") and the operations "
                + "endpoint (\"Metrics and health\").";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(TOPIC_CREATE, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR, STATIC_MEMBERSHIP,
                FENCE_ABANDONED_TRANSACTIONS, FAILOVER_CHECK_INTERVAL, OpsConfigKeys.ENABLED, OpsConfigKeys.PORT,
                OpsConfigKeys.BIND_ADDRESS, OpsConfigKeys.PROBE_INTERVAL, InputSchemaRegistration.REGISTER, WARMUP_BYTES);
    }
}
