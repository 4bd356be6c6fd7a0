package io.sealstream.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fast side-by-side check for development (the published numbers come from JMH): runs every contender in one
 * JVM, round-robin, and prints the median of the warm second half of the rounds.
 * Usage: {@code QuickCompare SIZE ROUNDS [name-substring...]}.
 */
public final class QuickCompare {

    interface Op {
        void run() throws Exception;
    }

    private QuickCompare() {
    }

    public static void main(final String[] args) throws Exception {
        final int size = Integer.parseInt(args.length > 0 ? args[0] : "1024");
        final int rounds = Integer.parseInt(args.length > 1 ? args[1] : "20");
        final List<String> filters = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        final byte[] plaintext = BenchFixtures.plaintext(size);
        final Map<String, Op> ops = new LinkedHashMap<>();

        final RawJdkGcm raw = new RawJdkGcm();
        final byte[] rawOut = new byte[RawJdkGcm.ciphertextLength(size)];
        final byte[] rawCt = rawOut.clone();
        final int rawLen = raw.encrypt(0, plaintext, rawCt);
        final byte[] rawPlain = new byte[size];
        final int[] object = {1};
        ops.put("raw_jdk_gcm encrypt", () -> raw.encrypt(object[0]++, plaintext, rawOut));
        ops.put("raw_jdk_gcm decrypt", () -> raw.decrypt(0, rawCt, rawLen, rawPlain));

        final SealstreamCodec ours = new SealstreamCodec();
        oneShot(ops, "sealstream", ours, plaintext);
        streaming(ops, "sealstream_stream", ours, plaintext);
        if (size <= 1 << 20) {
            streaming(ops, "tink_4kb", new TinkCodec(TinkCodec.AES256_GCM_HKDF_4KB), plaintext);
            oneShot(ops, "esdk_committing", new EsdkCodec(EsdkCodec.COMMITTING), plaintext);
        }
        ops.keySet().removeIf(name -> !filters.isEmpty() && filters.stream().noneMatch(name::contains));

        final Map<String, double[]> results = new LinkedHashMap<>();
        ops.keySet().forEach(name -> results.put(name, new double[rounds]));
        for (int r = 0; r < rounds; r++) {
            for (final Map.Entry<String, Op> e : ops.entrySet()) {
                final long t0 = System.nanoTime();
                long n = 0;
                while (System.nanoTime() - t0 < 150_000_000L) {
                    e.getValue().run();
                    n++;
                }
                results.get(e.getKey())[r] = (System.nanoTime() - t0) / (double) n;
            }
        }
        final List<String> lines = new ArrayList<>();
        results.forEach((name, ns) -> {
            final double[] warm = Arrays.copyOfRange(ns, rounds / 2, rounds);
            Arrays.sort(warm);
            final double median = warm[warm.length / 2];
            lines.add(String.format("%-26s %10.2f us/op %9.1f MiB/s", name, median / 1000, size / median * 1e9 / (1 << 20)));
        });
        lines.forEach(System.out::println);
    }

    private static void oneShot(final Map<String, Op> ops, final String name, final OneShotCodec codec, final byte[] plaintext)
            throws Exception {
        final byte[] ct = codec.encrypt(plaintext);
        ops.put(name + " encrypt", () -> codec.encrypt(plaintext));
        ops.put(name + " decrypt", () -> codec.decrypt(ct));
    }

    private static void streaming(final Map<String, Op> ops, final String name, final StreamingCodec codec,
                                  final byte[] plaintext) throws Exception {
        final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (OutputStream out = codec.encryptingStream(b)) {
            out.write(plaintext);
        }
        final byte[] ct = b.toByteArray();
        final CountingSink sink = new CountingSink();
        final byte[] buf = new byte[1 << 16];
        ops.put(name + " encrypt", () -> {
            try (OutputStream out = codec.encryptingStream(sink)) {
                out.write(plaintext);
            }
        });
        ops.put(name + " decrypt", () -> {
            try (InputStream in = codec.decryptingStream(new ByteArrayInputStream(ct))) {
                while (in.read(buf) >= 0) {
                    // drain
                }
            }
        });
    }
}
