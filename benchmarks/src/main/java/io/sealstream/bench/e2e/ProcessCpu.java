package io.sealstream.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time (user + system) spent by the processes of one run between {@link #start} and {@link #perObject}: the app's
 * JVMs together, and each service of the local stack by name ({@code kafka}, {@code s3proxy}, {@code schema-registry}).
 * Read from {@code /proc/PID/stat}, so Linux only; elsewhere every figure is NaN.
 */
final class ProcessCpu {

    /** Milliseconds of CPU per object, by process. */
    record PerObject(double app, double broker, double store, double registry) {
        static final PerObject NONE = new PerObject(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private static final long NANOS_PER_TICK = 1_000_000_000L / 100; // USER_HZ is 100 on every Linux we run on

    private final List<Process> apps;
    private final Map<String, Long> services;
    private final long appStart;
    private final Map<String, Long> serviceStart = new LinkedHashMap<>();

    private ProcessCpu(final List<Process> apps, final Map<String, Long> services) {
        this.apps = List.copyOf(apps);
        this.services = Map.copyOf(services);
        this.appStart = appsNanos();
        services.forEach((name, pid) -> serviceStart.put(name, nanos(pid)));
    }

    static ProcessCpu start(final List<Process> apps, final Map<String, Long> services) {
        return new ProcessCpu(apps, services);
    }

    PerObject perObject(final int objects) {
        final double app = (appsNanos() - appStart) / 1e6 / objects;
        return new PerObject(app, service("kafka", objects), service("s3proxy", objects),
                service("schema-registry", objects));
    }

    private double service(final String name, final int objects) {
        final Long pid = services.get(name);
        if (pid == null) {
            return Double.NaN;
        }
        return (nanos(pid) - serviceStart.get(name)) / 1e6 / objects;
    }

    private long appsNanos() {
        long sum = 0;
        for (Process p : apps) {
            sum += nanos(p.pid());
        }
        return sum;
    }

    /** User plus system CPU of {@code pid} so far, in nanoseconds; -1 where /proc cannot tell. */
    static long nanos(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may itself hold spaces.
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (final IOException | RuntimeException e) {
            return -1;
        }
    }
}
