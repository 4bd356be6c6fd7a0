package io.sealstream.health;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The application's dependencies and the thread that watches them: once a second it reports calls stalled on a
 * dependency and reminds of outages that last ({@link DependencyHealth}).
 *
 * @see #fromConfig
 */
public final class DependencyMonitor implements AutoCloseable {

    public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REMIND_EVERY = Duration.ofMinutes(1);

    private final Clock clock;
    private final Duration stallAfter;
    private final Duration remindEvery;
    private final List<DependencyHealth> dependencies = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService ticker;

    public DependencyMonitor(final Clock clock, final Duration stallAfter, final Duration remindEvery) {
        if (stallAfter.isNegative() || stallAfter.isZero() || remindEvery.isNegative() || remindEvery.isZero()) {
            throw new IllegalArgumentException("sealstream.health.stall-after and remind-every must be positive");
        }
        this.clock = clock;
        this.stallAfter = stallAfter;
        this.remindEvery = remindEvery;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "sealstream-dependency-monitor");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** {@code sealstream.health.stall-after} (default 5 s) and {@code sealstream.health.remind-every} (1 min). */
    public static DependencyMonitor fromConfig(final java.util.Map<String, ?> config) {
        return new DependencyMonitor(Clock.systemUTC(),
                HealthConfigKeys.STALL_AFTER.get(config),
                HealthConfigKeys.REMIND_EVERY.get(config));
    }

    /** A new watched dependency, named for log lines ("object store s3://...", "KMS local"). */
    public DependencyHealth dependency(final String name) {
        final DependencyHealth health = new DependencyHealth(name, clock, stallAfter, remindEvery);
        dependencies.add(health);
        return health;
    }

    /** The watched dependencies, in the order they were added. */
    public List<DependencyHealth> dependencies() {
        return List.copyOf(dependencies);
    }

    /** Runs one round of checks now (the ticker does it every second). */
    public void tick() {
        for (final DependencyHealth d : dependencies) {
            try {
                d.tick();
            } catch (final RuntimeException e) {
                // A monitor must never take the process down; the next tick tries again.
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
