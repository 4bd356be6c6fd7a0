package io.sealstream.app.ops;

import io.sealstream.health.DependencyHealth;
import io.sealstream.health.DependencyMonitor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each dependency for a cheap answer on a schedule, through the same monitored clients the pipeline uses, so that
 * {@link DependencyHealth} knows a dependency is gone even while no upload needs it: an idle pipeline whose object
 * store was stopped is not ready. The probes only feed the dependencies' health; the outage lines in the log and the
 * readiness answer both come from there.
 *
 * <p>A probe that hangs holds only this thread; the monitor reports the stall after {@code sealstream.health.stall-after}
 * and the next round waits for it.
 */
public final class DependencyProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DependencyProbes.class);

    /** One cheap call that reaches the dependency (its answer is ignored; its failure is the health's to see). */
    @FunctionalInterface
    public interface Probe {
        void call() throws Exception;
    }

    private final DependencyMonitor monitor;
    private final Map<String, Probe> probes;
    private final ScheduledExecutorService thread;

    /** {@code probes} by name, for the log; each call goes through a client the {@code monitor} watches. */
    public DependencyProbes(final DependencyMonitor monitor, final Map<String, Probe> probes, final Duration every) {
        this.monitor = monitor;
        this.probes = new LinkedHashMap<>(probes);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "sealstream-dependency-probes");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::probeAll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        probes.forEach((name, probe) -> {
            try {
                probe.call();
            } catch (final Exception | LinkageError e) {
                // Its dependency's health has recorded a transient failure; anything else (a refusal, a missing key)
                // still shows the dependency answers.
                LOG.debug("readiness probe of {}: {}", name, e.toString());
            }
        });
    }

    /** The dependencies that are down now (failed or stalled calls, the probes' and the pipeline's alike). */
    public List<DependencyHealth> down() {
        return monitor.dependencies().stream().filter(DependencyHealth::isDown).toList();
    }

    public List<DependencyHealth> all() {
        return monitor.dependencies();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
