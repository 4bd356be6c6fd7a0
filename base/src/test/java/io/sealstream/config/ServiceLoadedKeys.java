package io.sealstream.config;

import java.time.Duration;
import java.util.List;

/** A set registered in this module's test META-INF/services, as each module registers its own. */
public final class ServiceLoadedKeys implements ConfigKeySet {

    public static final ConfigKey<Duration> POLL = ConfigKey.duration("sealstream.test.poll", Duration.ofSeconds(1),
            "How often the test polls.");

    @Override
    public String title() {
        return "Service-loaded test keys";
    }

    @Override
    public String module() {
        return "sealstream-base (tests)";
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(POLL);
    }
}
