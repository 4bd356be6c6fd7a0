package io.sealstream.app.ops;

import io.sealstream.config.ConfigKey;
import java.time.Duration;

/**
 * The operations endpoint's settings: metrics, liveness and readiness over HTTP (docs/OPERATIONS.md, "Metrics and
 * health"). Declared with the application's ({@link io.sealstream.app.AppConfigKeys}).
 */
public final class OpsConfigKeys {

    private OpsConfigKeys() {
    }


    public static final ConfigKey<Boolean> ENABLED = ConfigKey.bool("sealstream.ops.enabled", true,
            "Whether `run` serves `/metrics` (Prometheus), `/health/live` and `/health/ready` over HTTP.");
    public static final ConfigKey<Integer> PORT = ConfigKey.integer("sealstream.ops.port", 8080, 0, 65535,
            "The operations endpoint's port; 0 picks a free one (logged at start).");
    public static final ConfigKey<String> BIND_ADDRESS = ConfigKey.string("sealstream.ops.bind-address", "0.0.0.0",
            "The address it listens on; `127.0.0.1` keeps it to the host. It serves no secret and accepts no "
                    + "command, but the metrics show traffic volumes: keep it inside the cluster network.");
    public static final ConfigKey<Duration> PROBE_INTERVAL = ConfigKey.duration("sealstream.ops.probe-interval",
            Duration.ofSeconds(2), "How often readiness asks the KMS, the object store and the schema registry for "
                    + "a cheap answer, so that an idle pipeline still notices a dependency that went away.").positive();
}
