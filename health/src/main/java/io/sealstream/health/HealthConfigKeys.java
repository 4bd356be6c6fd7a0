package io.sealstream.health;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.time.Duration;
import java.util.List;

/** The dependency monitor's settings ({@code sealstream.health.*}), declared once; read by {@link DependencyMonitor}. */
public final class HealthConfigKeys implements ConfigKeySet {

    public static final ConfigKey<Duration> STALL_AFTER = ConfigKey.duration("sealstream.health.stall-after",
            DependencyMonitor.DEFAULT_STALL_AFTER,
            "A call to a dependency (KMS, object store, schema registry) that has not answered after this long is "
                    + "reported, once, as an outage: a store that accepts connections and says nothing is down too.")
            .positive();

    public static final ConfigKey<Duration> REMIND_EVERY = ConfigKey.duration("sealstream.health.remind-every",
            DependencyMonitor.DEFAULT_REMIND_EVERY, "While a dependency stays down, a reminder in the log this often.")
            .positive();

    @Override
    public String title() {
        return "Dependency health";
    }

    @Override
    public String module() {
        return "sealstream-health";
    }

    @Override
    public String description() {
        return "Outages in the log: one WARN when the KMS, the store or the registry stops answering, a reminder while "
                + "it lasts, one line when it is back.";
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(STALL_AFTER, REMIND_EVERY);
    }
}
