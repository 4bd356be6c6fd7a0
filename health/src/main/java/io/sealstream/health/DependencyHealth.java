package io.sealstream.health;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one dependency (the KMS, the object store, the schema registry) answers, told to operators in the log:
 * one WARN line when it stops answering, a reminder every {@code remindEvery} while it stays down, and one line when
 * it answers again. Without it an outage is silent: the pipeline waits (back-pressure) with nothing in the log while
 * each client's own socket timeouts and retries run.
 *
 * <p>Callers wrap each call in a {@link Call}: {@code failed} when the dependency could not be reached or asked to
 * slow down, {@code succeeded} whenever it answered (a "not found" or "forbidden" is an answer). A call that stays
 * blocked on the dependency for {@code stallAfter} counts as a failure at once, so a dependency that accepts
 * connections and then says nothing (a stopped process, a black-holed network) is reported within seconds, not when a
 * 30 s socket timeout finally fires. Blocked means waiting inside the dependency's client: a stream the caller is
 * simply not reading is not a stall.
 *
 * <p>Messages name the dependency and the failure, never a credential or payload.
 */
public final class DependencyHealth {

    private static final Logger LOG = LoggerFactory.getLogger(DependencyHealth.class);

    /** One call to the dependency; close it in a finally block. */
    public interface Call extends AutoCloseable {
        /** The caller now waits on the dependency (inside its client). */
        void blocked();

        /** The caller no longer waits on the dependency. */
        void unblocked();

        /** The dependency answered. */
        void succeeded();

        /** The dependency could not be reached, timed out or asked to slow down. */
        void failed(String reason);

        /** Ends the call; one neither succeeded nor failed (the caller's own error) says nothing of the dependency. */
        @Override
        void close();
    }

    private final String name;
    private final Consumer<String> log;
    private final Clock clock;
    private final long stallAfterMillis;
    private final long remindEveryMillis;
    /** Calls blocked on the dependency right now. */
    private final Set<CallImpl> inFlight = ConcurrentHashMap.newKeySet();

    // Guarded by this.
    private boolean down;
    private long downSince;
    private long lastReminder;
    private long failures;
    private String lastReason;

    DependencyHealth(final String name, final Clock clock, final Duration stallAfter, final Duration remindEvery) {
        this(name, clock, stallAfter, remindEvery, LOG::warn);
    }

    /** A dependency whose lines go to {@code log} instead of the application's log, on the given clock: for tests. */
    public static DependencyHealth forTests(final String name, final Clock clock, final Duration stallAfter,
                                            final Duration remindEvery, final Consumer<String> log) {
        return new DependencyHealth(name, clock, stallAfter, remindEvery, log);
    }

    /** With {@code log} receiving each line (WARN in the application's log). */
    DependencyHealth(final String name, final Clock clock, final Duration stallAfter, final Duration remindEvery,
                     final Consumer<String> log) {
        this.name = Objects.requireNonNull(name, "name");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stallAfterMillis = stallAfter.toMillis();
        this.remindEveryMillis = remindEvery.toMillis();
    }

    public String name() {
        return name;
    }

    /** Whether the dependency is currently considered down. */
    public synchronized boolean isDown() {
        return down;
    }

    /** Starts a call, blocked on the dependency until {@link Call#unblocked()}. */
    public Call begin() {
        final CallImpl call = new CallImpl();
        call.blocked();
        return call;
    }

    synchronized void failure(final String reason) {
        failures++;
        lastReason = reason;
        if (!down) {
            down = true;
            downSince = clock.millis();
            lastReminder = downSince;
            log.accept(name + " is not answering: " + reason + "; work that needs it waits and is retried "
                    + "(back-pressure, nothing is dropped)");
        }
    }

    synchronized void success() {
        if (down) {
            log.accept(name + " is answering again after " + seconds(clock.millis() - downSince) + " (" + failures
                    + " failed or stalled attempts)");
            down = false;
            failures = 0;
            lastReason = null;
        }
    }

    /** Reports stalled calls and reminds of a lasting outage; called about once a second by the monitor. */
    public void tick() {
        final long now = clock.millis();
        for (final CallImpl call : inFlight) {
            final long since = call.blockedSince;
            if (since != 0 && now - since >= stallAfterMillis && !call.stallReported) {
                call.stallReported = true;
                failure("no answer for " + seconds(now - since));
            }
        }
        synchronized (this) {
            if (down && now - lastReminder >= remindEveryMillis) {
                lastReminder = now;
                log.accept(name + " still not answering after " + seconds(now - downSince) + " (" + failures
                        + " failed or stalled attempts; last: " + lastReason + ")");
            }
        }
    }

    private static String seconds(final long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private final class CallImpl implements Call {
        private volatile long blockedSince;
        private volatile boolean stallReported;
        private volatile boolean ended;

        @Override
        public void blocked() {
            if (!ended) {
                blockedSince = Math.max(1, clock.millis());
                inFlight.add(this); // only calls blocked on the dependency are watched: an idle one costs nothing
            }
        }

        @Override
        public void unblocked() {
            blockedSince = 0;
            inFlight.remove(this);
            if (stallReported && !ended) {
                // It was reported stalled and the dependency has returned control since: it answered after all.
                stallReported = false;
                success();
            }
        }

        @Override
        public void succeeded() {
            if (end()) {
                success();
            }
        }

        @Override
        public void failed(final String reason) {
            if (end() && !stallReported) {
                failure(reason); // a stalled call was counted when it stalled
            }
        }

        @Override
        public void close() {
            end();
        }

        private boolean end() {
            if (ended) {
                return false;
            }
            ended = true;
            blockedSince = 0;
            inFlight.remove(this);
            return true;
        }
    }
}
