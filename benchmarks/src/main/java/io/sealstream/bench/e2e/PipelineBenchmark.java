package io.sealstream.bench.e2e;

import io.sealstream.cli.LogLevels;
import io.sealstream.bench.e2e.BenchReport.Result;
import io.sealstream.bench.e2e.BenchReport.Workload;
import io.sealstream.bench.e2e.PipelineRun.Spec;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.pipeline.Topics;
import io.sealstream.stack.LocalStack;
import io.sealstream.stack.StackEnv;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end-to-end benchmark: the real pipeline on the local stack (Kafka, Apicurio, S3Proxy as processes, started by
 * {@link LocalStack} like {@code sealstream stack up}), the application in its own JVM, measured in one run with
 * encryption and with encryption replaced by a plain copy into the same store.
 *
 * <p>Per run: a backlog of N upload events is sent as fast as the producer can, and throughput is N over the time
 * until the last ObjectEncrypted is readable (read_committed). Then M events are sent at half that rate, and each
 * one's latency is the time from its send to its ObjectEncrypted being readable. The app's resident memory (VmRSS) is
 * sampled every 100 ms; KMS calls are the DEK_CREATED events it published.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sealstream.bench.e2e.PipelineBenchmark [--reps 3] [--quick]
 * </pre>
 */
public final class PipelineBenchmark {

    private static final String PASSPHRASE = "e2e-benchmark-passphrase";
    private static final String KEK = "bench";

    private final StackEnv stack;
    private final Path stackDir;
    private final PipelineRun runner;

    private PipelineBenchmark(final Path dir, final Path stackDir, final StackEnv stack) throws IOException {
        this.stack = stack;
        this.stackDir = stackDir;
        final Path keystore = dir.resolve("keys.p12");
        if (!Files.exists(keystore)) {
            try (LocalKeyStoreKms kms = LocalKeyStoreKms.open(keystore, PASSPHRASE.toCharArray())) {
                kms.createKey(KEK);
            }
        }
        this.runner = new PipelineRun(this, stack, stackDir, dir, keystore, PASSPHRASE, KEK);
    }

    public static void main(final String[] args) throws Exception {
        final Options o = new Options();
        Path dir = Path.of("benchmarks", "target", "e2e");
        Path stackEnv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> o.reps = Integer.parseInt(args[++i]);
                case "--quick" -> o.quick = true;
                case "--smoke" -> o.smoke = true;
                case "--dir" -> dir = Path.of(args[++i]);
                case "--stack-env" -> stackEnv = Path.of(args[++i]);
                case "--only" -> o.only = Set.of(args[++i].split(","));
                case "--workload" -> o.workloadFilter = args[++i];
                case "--profile" -> o.profile = true;
                case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
                case "--before-jar" -> o.beforeJar = Path.of(args[++i]).toAbsolutePath().toString();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LogLevels.setUnlessChosen("org.apache.kafka", "ERROR");
        Files.createDirectories(dir);
        final Path stackDir = stackEnv == null ? dir.resolve("stack") : stackEnv.toAbsolutePath().getParent();
        final StackEnv env;
        final boolean ownStack = stackEnv == null;
        if (ownStack) {
            LocalStack.down(stackDir, Duration.ofSeconds(20));
            env = LocalStack.up(new LocalStack.Options(stackDir, LocalStack.defaultArtifacts(), 0, 0, 0, "sealstream",
                    "staging", Topics.defaults().all(), Set.of(), 4, Duration.ofMinutes(3)), System.out);
        } else {
            env = StackEnv.read(stackDir);
        }
        final Path results = dir.resolve("results.md");
        try (PrintStream report = new PrintStream(Files.newOutputStream(results), true, StandardCharsets.UTF_8)) {
            final PipelineBenchmark bench = new PipelineBenchmark(dir, stackDir, env);
            bench.runner.warmupOverride = o.warmup;
            if (o.smoke) {
                bench.runSmoke(report);
            } else {
                bench.runAll(o, report);
            }
        } finally {
            if (ownStack) {
                LocalStack.down(stackDir, Duration.ofSeconds(20));
            }
        }
        System.out.println("results in " + results);
    }

    /** The command line: which tables, how many repetitions, and what else to measure. */
    private static final class Options {
        int reps = 3;
        boolean quick;
        boolean smoke;
        boolean profile;
        Set<String> only = Set.of("matrix", "scale", "commit", "sweep", "memory");
        String workloadFilter = "";
        String beforeJar;
        int warmup = -1;
    }

    private Result run(final Spec spec) throws Exception {
        return runner.run(spec);
    }

    /**
     * The smoke mode CI runs so that the benchmark cannot rot: every code path of a full run (each variant, an inline
     * and a staged workload, the latency phase, two instances, the filesystem store, a commit interval, the memory
     * sweep) on tiny workloads, once. Its figures mean nothing.
     */
    private void runSmoke(final PrintStream report) throws Exception {
        final List<Workload> workloads = List.of(
                new Workload("inline 1 KiB", false, 1024, 60, 20),
                new Workload("staged 1 MiB", true, 1L << 20, 3, 2));
        BenchReport.header(report, "Smoke run (tiny workloads, one run each: checks the benchmark works, measures nothing)");
        for (Workload w : workloads) {
            if (w.staged()) {
                stageObjects(w.size(), Math.max(w.backlog(), w.paced()));
            }
            final Result plain = run(Spec.of("plain", w, 1, 2));
            final Result enc = run(Spec.of("encrypt", w, 1, 2));
            BenchReport.row(report, plain, null);
            BenchReport.row(report, enc, plain);
            if (enc.kmsCalls() < 1) {
                throw new IllegalStateException("the encrypting run published no DEK_CREATED event");
            }
            if (!(enc.cpu().app() > 0)) {
                throw new IllegalStateException("no CPU per object measured for the app: " + enc.cpu());
            }
        }
        final Workload small = workloads.get(0);
        BenchReport.row(report, storeAlone(2, 20, small), null);
        BenchReport.row(report, run(Spec.of("encrypt", small, 1, 2).withInstances(2).withStore("filesystem")
                .withCommitInterval(300)), null);
        stageObjects(4L << 20, 1);
        BenchReport.row(report, run(Spec.of("encrypt", new Workload("staged 4 MiB", true, 4L << 20, 1, 0), 1, 1)
                .withHeap("256m")), null);
    }

    private void runAll(final Options o, final PrintStream report) throws Exception {
        final int scale = o.quick ? 5 : 1;
        // Sized so that each run takes 10-20 s on our 2-core machines.
        final List<Workload> workloads = List.of(
                new Workload("inline 1 KiB", false, 1024, 3_000 / scale, 300 / scale),
                new Workload("inline 64 KiB", false, 64 * 1024, 1_000 / scale, 150 / scale),
                new Workload("staged 16 MiB", true, 16L << 20, 24 / Math.min(scale, 3), 6 / Math.min(scale, 2)),
                new Workload("staged 1 GiB", true, 1L << 30, o.quick ? 1 : 2, 0));
        final Workload small = workloads.get(0);
        if (o.only.contains("matrix")) {
            for (Workload w : workloads) {
                if (w.staged() && w.name().contains(o.workloadFilter)) {
                    stageObjects(w.size(), Math.max(w.backlog(), w.paced()));
                }
            }
            BenchReport.header(report, "Encryption against a plain copy (2 stream threads, 4 partitions; medians of "
                    + o.reps + " runs)");
            for (Workload w : workloads.stream().filter(x -> x.name().contains(o.workloadFilter)).toList()) {
                final List<Spec> specs = new ArrayList<>(List.of(Spec.of("plain", w, 2, 4), Spec.of("encrypt", w, 2, 4)));
                if (o.beforeJar != null) {
                    specs.add(Spec.of("encrypt", w, 2, 4).fromBuild("encrypt (before)", o.beforeJar));
                }
                final Map<Spec, List<Result>> bySpec = new HashMap<>();
                for (int r = 0; r < o.reps; r++) {
                    for (Spec spec : specs) {
                        final boolean profiled = o.profile && r == 0 && !w.staged();
                        bySpec.computeIfAbsent(spec, v -> new ArrayList<>()).add(run(spec.withProfile(profiled)));
                    }
                }
                final Result plain = BenchReport.median(bySpec.get(specs.get(0)));
                BenchReport.row(report, plain, null);
                for (Spec spec : specs.subList(1, specs.size())) {
                    BenchReport.row(report, BenchReport.median(bySpec.get(spec)), plain);
                }
            }
        }
        if (o.only.contains("scale")) {
            BenchReport.header(report, "Scale-out: instances with one application.id on one broker (inline 1 KiB, "
                    + "2 threads each, 6 partitions; medians of " + o.reps + " runs)");
            for (String store : List.of("s3", "filesystem")) {
                for (int instances = 1; instances <= 3; instances++) {
                    final List<Result> rs = new ArrayList<>();
                    for (int r = 0; r < o.reps; r++) {
                        rs.add(run(Spec.of("encrypt", small, 2, 6).withInstances(instances).withStore(store)));
                    }
                    BenchReport.row(report, BenchReport.median(rs), null);
                }
            }
        }
        if (o.only.contains("commit")) {
            BenchReport.header(report, "Transaction size: commit.interval.ms against broker CPU and latency (inline 1 KiB, "
                    + "2 threads, 4 partitions; medians of " + o.reps + " runs)");
            for (int interval : new int[] {50, 100, 300, 1000}) {
                final List<Result> rs = new ArrayList<>();
                for (int r = 0; r < o.reps; r++) {
                    rs.add(run(Spec.of("encrypt", small, 2, 4).withCommitInterval(interval)));
                }
                BenchReport.row(report, BenchReport.median(rs), null);
            }
        }
        if (o.only.contains("sweep")) {
            BenchReport.header(report, "Stream threads against the store alone at the same concurrency (inline 1 KiB, "
                    + "encrypt, 8 partitions; one run each)", "vs store alone");
            for (int threads : new int[] {1, 2, 4, 8}) {
                final Result alone = storeAlone(threads, o.quick ? 300 : 1500, small);
                BenchReport.row(report, alone, null);
                BenchReport.row(report, run(Spec.of("encrypt", small, threads, 8)), alone);
            }
        }
        memorySweep(o.quick, o.only, report);
    }

    private void memorySweep(final boolean quick, final Set<String> only, final PrintStream report) throws Exception {
        if (!only.contains("memory")) {
            return;
        }
        // A 256 MiB heap cap, so that resident memory shows what the app needs, not how far G1 chose to grow.
        BenchReport.header(report, "Resident memory against object size (staged, encrypt, 1 stream thread, -Xmx256m)");
        for (long size : quick ? new long[] {16L << 20, 256L << 20} : new long[] {16L << 20, 256L << 20, 1L << 30}) {
            stageObjects(size, 1);
            BenchReport.row(report, run(Spec.of("encrypt", new Workload("staged " + human(size), true, size, 1, 0), 1, 1)
                    .withHeap("256m")), null);
        }
    }

    /**
     * What the store alone allows at a given concurrency: 1 KiB PUTs with the pipeline's eight metadata entries, through
     * the same store client, from {@code threads} threads, no Kafka. Every upload costs one such PUT, so this bounds the
     * pipeline's objects/s at that many stream threads whatever the rest costs. Also the CPU per PUT of this client and
     * of S3Proxy.
     */
    private Result storeAlone(final int threads, final int perThread, final Workload w) throws Exception {
        final Map<String, String> metadata = new HashMap<>();
        for (String k : List.of("sealstream-format", "sealstream-kek", "sealstream-dek-id", "sealstream-event-id",
                "sealstream-plaintext-size", "sealstream-segment-size", "sealstream-suite", "sealstream-tenant")) {
            metadata.put(k, UUID.randomUUID().toString());
        }
        final byte[] data = new byte[1024];
        try (ObjectStore store = ObjectStores.fromConfig(storeConfig())) {
            final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            // Unmeasured first round: the client's request path compiled, as the pipeline's warm-up does for the app.
            final String run = UUID.randomUUID().toString().substring(0, 8);
            putAll(pool, store, threads, perThread, metadata, data, run + "/warm");
            final Map<String, Long> services = BenchProcesses.stackPids(stackDir);
            final ProcessCpu cpu = ProcessCpu.start(List.of(), services);
            final long self0 = ProcessCpu.nanos(ProcessHandle.current().pid());
            final long t0 = System.nanoTime();
            putAll(pool, store, threads, perThread, metadata, data, run);
            final double seconds = (System.nanoTime() - t0) / 1e9;
            final int puts = threads * perThread;
            final ProcessCpu.PerObject perPut = cpu.perObject(puts);
            final double client = (ProcessCpu.nanos(ProcessHandle.current().pid()) - self0) / 1e6 / puts;
            pool.shutdown();
            return new Result(Spec.of("store alone", w, threads, 0).fromBuild("store alone (PUT)", null), puts / seconds,
                    puts / seconds / 1024, Double.NaN, Double.NaN, 0, 0,
                    new ProcessCpu.PerObject(client, perPut.broker(), perPut.store(), perPut.registry()));
        }
    }

    private void putAll(final java.util.concurrent.ExecutorService pool, final ObjectStore store, final int threads,
                        final int perThread, final Map<String, String> metadata, final byte[] data, final String prefix)
            throws Exception {
        final List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    store.put(new ObjectLocation(stack.s3Bucket(), "store-only/" + prefix + "/" + thread + "/" + i),
                            metadata, o -> o.write(data));
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
    }

    String stagingKey(final long size, final int i) {
        return "bench/" + size + "/" + i;
    }

    private final Set<String> staged = ConcurrentHashMap.newKeySet();

    private void stageObjects(final long size, final int count) throws IOException {
        try (ObjectStore store = ObjectStores.fromConfig(storeConfig())) {
            for (int i = 0; i < count; i++) {
                final ObjectLocation at = new ObjectLocation(stack.s3StagingBucket(), stagingKey(size, i));
                if (staged.add(at.toUri())) {
                    final long seed = size * 31 + i;
                    store.put(at, Map.of(), sink -> generate(sink, size, seed));
                }
            }
        }
    }

    Map<String, String> storeConfig() {
        return Map.of("sealstream.store.type", "s3", "sealstream.store.s3.endpoint", stack.s3Endpoint(),
                "sealstream.store.s3.access-key", stack.s3AccessKey(), "sealstream.store.s3.secret-key", stack.s3SecretKey(),
                "sealstream.store.s3.path-style", "true");
    }

    private static String human(final long size) {
        return size >= 1L << 30 ? (size >> 30) + " GiB" : (size >> 20) + " MiB";
    }

    /** Cheap pseudo-random bytes, generated while streaming. */
    private static void generate(final OutputStream out, final long size, final long seed) throws IOException {
        io.sealstream.app.GeneratedContent.write(out, size, seed | 1, null);
    }
}
