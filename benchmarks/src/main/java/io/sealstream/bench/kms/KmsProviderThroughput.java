package io.sealstream.bench.kms;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.WrappedDataKey;
import io.sealstream.kms.hadoop.HadoopKmsConfig;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.kms.pkcs11.Pkcs11Kms;
import io.sealstream.kms.testing.HadoopKmsServer;
import io.sealstream.kms.testing.SoftHsmToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What each real KMS back end costs per call, single thread, in one run: generate a data key, unwrap one, re-wrap one
 * under a newer KEK version (what a re-wrap job does per DEK), and, for comparison, generate through the data-key
 * cache (what the pipeline does per object). Medians of several rounds; the machine is noisy.
 *
 * <p>Run with {@code benchmarks/run-kms.sh [--seconds 2] [--rounds 5] [--only local,pkcs11,hadoop-kms]}.
 */
public final class KmsProviderThroughput {

    private KmsProviderThroughput() {
    }

    public static void main(final String[] args) throws Exception {
        double seconds = 2;
        int rounds = 5;
        Set<String> only = Set.of("local", "pkcs11", "hadoop-kms");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = Set.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Path dir = Files.createTempDirectory("kms-bench");
        System.out.printf(Locale.ROOT, "KMS provider throughput: 1 thread, %d rounds of %.1f s after one warm-up round; "
                + "ops/s, median [min-max]%n", rounds, seconds);
        System.out.printf(Locale.ROOT, "%-11s %-22s %12s %s%n", "provider", "operation", "median", "range");
        if (only.contains("local")) {
            try (KeyManagementService kms = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "bench-passphrase".toCharArray())) {
                measure("local", kms, seconds, rounds);
            }
        }
        if (only.contains("pkcs11")) {
            if (!Files.isRegularFile(SoftHsmToken.library())) {
                System.out.println("pkcs11      skipped: " + SoftHsmToken.library() + " not installed (apt-get install softhsm2)");
            } else {
                try (KeyManagementService kms = Pkcs11Kms.open(io.sealstream.kms.pkcs11.Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), SoftHsmToken.shared().slot(), SoftHsmToken.shared().pin().toCharArray()))) {
                    measure("pkcs11", kms, seconds, rounds);
                }
            }
        }
        if (only.contains("hadoop-kms")) {
            try (HadoopKmsServer server = HadoopKmsServer.start(dir.resolve("hadoop-kms"));
                 KeyManagementService kms = HadoopKmsConfig.of(server.url(), "sealstream-bench").open()) {
                System.out.printf(Locale.ROOT, "hadoop-kms  (server ready in %.1f s)%n", server.startTime().toMillis() / 1000.0);
                measure("hadoop-kms", kms, seconds, rounds);
            }
        }
    }

    private static void measure(final String name, final KeyManagementService kms, final double seconds, final int rounds) {
        final String kek = "bench-" + Long.toHexString(System.nanoTime());
        kms.createKey(kek);
        final WrappedDataKey old;
        try (DataKey key = kms.generateDataKey(kek)) {
            old = key.wrapped();
        }
        report(name, "generateDataKey", run(() -> close(kms.generateDataKey(kek)), seconds, rounds));
        report(name, "unwrap", run(() -> close(kms.unwrap(old)), seconds, rounds));
        kms.rotateKey(kek);
        report(name, "rewrap (old version)", run(() -> kms.rewrap(old), seconds, rounds));
        // The pipeline's path: the cache around the provider hands out the same DEK until its limits.
        final KeyManagementService cached = KmsClients.standard(new Unclosable(kms));
        report(name, "cached generateDataKey", run(() -> close(cached.generateDataKey(kek)), seconds, rounds));
        cached.close();
    }

    private static Object close(final DataKey key) {
        key.close();
        return key;
    }

    private static double[] run(final Supplier<Object> op, final double seconds, final int rounds) {
        round(op, seconds); // warm-up
        final double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rates[r] = round(op, seconds);
        }
        return rates;
    }

    private static double round(final Supplier<Object> op, final double seconds) {
        final long end = System.nanoTime() + (long) (seconds * 1e9);
        final long start = System.nanoTime();
        long n = 0;
        long now;
        do {
            op.get();
            n++;
            now = System.nanoTime();
        } while (now < end);
        return n / ((now - start) / 1e9);
    }

    private static void report(final String provider, final String operation, final double[] rates) {
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        final double median = sorted[sorted.length / 2];
        System.out.printf(Locale.ROOT, "%-11s %-22s %12s [%s-%s]%n", provider, operation, fmt(median), fmt(sorted[0]),
                fmt(sorted[sorted.length - 1]));
    }

    private static String fmt(final double rate) {
        return rate >= 100 ? String.format(Locale.ROOT, "%,.0f", rate) : String.format(Locale.ROOT, "%.1f", rate);
    }

    /** Lets the benchmark close the cache without closing the provider it measures next. */
    private static final class Unclosable extends io.sealstream.kms.ForwardingKeyManagementService {
        Unclosable(final KeyManagementService delegate) {
            super(delegate);
        }

        @Override
        public void close() {
        }
    }
}
