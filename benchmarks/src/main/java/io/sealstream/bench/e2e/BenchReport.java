package io.sealstream.bench.e2e;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The end-to-end benchmark's tables: one Markdown row per result, medians of repeated runs, percentiles. */
final class BenchReport {

    private BenchReport() {
    }

    /** One workload: inline payloads of {@code size} bytes, or staged objects of {@code size} bytes. */
    record Workload(String name, boolean staged, long size, int backlog, int paced) {
    }

    /** One measured run: throughput and CPU over the backlog, latency over the paced uploads. */
    record Result(PipelineRun.Spec spec, double objectsPerSecond, double mibPerSecond, double p50Ms, double p99Ms,
                  long kmsCalls, long maxRssMib, ProcessCpu.PerObject cpu) {
    }

    static void header(final PrintStream report, final String title) {
        header(report, title, "vs plain");
    }

    /** A table whose last column is the ratio of each row's objects/s to the row given with it ({@code ratioName}). */
    static void header(final PrintStream report, final String title, final String ratioName) {
        final String h = "\n### " + title + "\n\n| variant | workload | inst. | threads | parts | store | commit ms "
                + "| objects/s | MiB/s | p50 ms | p99 ms | app CPU ms/obj | broker CPU ms/obj | S3 CPU ms/obj "
                + "| registry CPU ms/obj | KMS calls | max RSS MiB | " + ratioName + " |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
        report.println(h);
        System.out.println(h);
    }

    static void row(final PrintStream report, final Result r, final Result plain) {
        final PipelineRun.Spec s = r.spec();
        final String ratio = plain == null ? "" : String.format(Locale.ROOT, "%.2f", r.objectsPerSecond() / plain.objectsPerSecond());
        final String line = String.format(Locale.ROOT,
                "| %s | %s | %d | %d | %d | %s | %s | %.0f | %.1f | %s | %s | %s | %s | %s | %s | %d | %d | %s |",
                s.label(), s.workload().name(), s.instances(), s.threads(), s.partitions(), s.store(),
                s.commitIntervalMs() == 0 ? "default" : Integer.toString(s.commitIntervalMs()),
                r.objectsPerSecond(), r.mibPerSecond(), fixed(r.p50Ms(), "%.0f"), fixed(r.p99Ms(), "%.0f"),
                fixed(r.cpu().app(), "%.2f"), fixed(r.cpu().broker(), "%.2f"), fixed(r.cpu().store(), "%.2f"),
                fixed(r.cpu().registry(), "%.3f"), r.kmsCalls(), r.maxRssMib(), ratio);
        report.println(line);
        System.out.println(line);
        // The figure every later change is checked against, on a line of its own for scripts and eyes.
        System.out.printf(Locale.ROOT, "app CPU per object: %.3f ms (%s, %s)%n", r.cpu().app(), s.label(), s.workload().name());
    }

    private static String fixed(final double v, final String format) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    static Result median(final List<Result> rs) {
        final List<Result> sorted = new ArrayList<>(rs);
        sorted.sort((a, b) -> Double.compare(a.objectsPerSecond(), b.objectsPerSecond()));
        final Result mid = sorted.get(sorted.size() / 2);
        final ProcessCpu.PerObject cpu = new ProcessCpu.PerObject(median(rs, r -> r.cpu().app()),
                median(rs, r -> r.cpu().broker()), median(rs, r -> r.cpu().store()), median(rs, r -> r.cpu().registry()));
        return new Result(mid.spec(), mid.objectsPerSecond(), mid.mibPerSecond(), median(rs, Result::p50Ms),
                median(rs, Result::p99Ms), (long) median(rs, Result::kmsCalls), (long) median(rs, Result::maxRssMib), cpu);
    }

    private static double median(final List<Result> rs, final ToDoubleFunction<Result> f) {
        final double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    static double percentile(final List<Double> sorted, final double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
