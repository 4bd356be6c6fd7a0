package io.sealstream.bench.e2e;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The end-to-end benchmark's tables: one Markdown row per result, medians of repeated runs, percentiles. */
final class BenchReport {

    private BenchReport() {
    }

    /** One workload: inline payloads of {@code size} bytes, or staged objects of {@code size} bytes. */
    record Workload(String name, boolean staged, long size, int backlog, int paced) {
    }

    /** One measured run. */
    record Result(String variant, Workload workload, int threads, int partitions, double objectsPerSecond,
                  double mibPerSecond, double p50Ms, double p99Ms, long kmsCalls, long maxRssMib) {
    }

    static void header(final PrintStream report, final String title) {
        final String h = "\n### " + title + "\n\n| variant | workload | threads | partitions | objects/s | MiB/s | p50 ms | p99 ms "
                + "| KMS calls | max RSS MiB | vs plain |\n|---|---|---|---|---|---|---|---|---|---|---|";
        report.println(h);
        System.out.println(h);
    }

    static void row(final PrintStream report, final Result r, final Result plain) {
        final String ratio = plain == null ? "" : String.format(Locale.ROOT, "%.2f", r.objectsPerSecond() / plain.objectsPerSecond());
        final String line = String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.1f | %s | %s | %d | %d | %s |",
                r.variant(), r.workload().name(), r.threads(), r.partitions(), r.objectsPerSecond(), r.mibPerSecond(),
                Double.isNaN(r.p50Ms()) ? "-" : String.format(Locale.ROOT, "%.0f", r.p50Ms()),
                Double.isNaN(r.p99Ms()) ? "-" : String.format(Locale.ROOT, "%.0f", r.p99Ms()),
                r.kmsCalls(), r.maxRssMib(), ratio);
        report.println(line);
        System.out.println(line);
    }

    static Result median(final List<Result> rs) {
        final List<Result> sorted = new ArrayList<>(rs);
        sorted.sort((a, b) -> Double.compare(a.objectsPerSecond(), b.objectsPerSecond()));
        final Result mid = sorted.get(sorted.size() / 2);
        final List<Double> p50 = rs.stream().map(Result::p50Ms).sorted().toList();
        final List<Double> p99 = rs.stream().map(Result::p99Ms).sorted().toList();
        final List<Long> rss = rs.stream().map(Result::maxRssMib).sorted().toList();
        final List<Long> kms = rs.stream().map(Result::kmsCalls).sorted().toList();
        return new Result(mid.variant(), mid.workload(), mid.threads(), mid.partitions(), mid.objectsPerSecond(),
                mid.mibPerSecond(), p50.get(p50.size() / 2), p99.get(p99.size() / 2), kms.get(kms.size() / 2),
                rss.get(rss.size() / 2));
    }

    static double percentile(final List<Double> sorted, final double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
