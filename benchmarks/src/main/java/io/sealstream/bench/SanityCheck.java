package io.sealstream.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks, outside JMH, that every contender's encrypt -> decrypt returns the plaintext, through the same code the
 * benchmarks call, at the benchmark sizes and at segment boundaries. A benchmark of a contender that does not
 * round-trip measures nothing. Exit status 1 on any failure.
 */
public final class SanityCheck {

    private static final int MIB = 1024 * 1024;
    private static final int[] SIZES = {0, 1, 1024, 4095, 4096, 65535, 65536, 65537, MIB, MIB + 3, 64 * MIB};
    /** Bounded like {@link EsdkThroughputBenchmark}. */
    private static final int ESDK_MAX_SIZE = MIB + 3;

    private SanityCheck() {
    }

    @FunctionalInterface
    private interface RoundTrip {
        byte[] apply(byte[] plaintext) throws Exception;
    }

    private record Contender(String name, int maxSize, RoundTrip roundTrip) {
    }

    public static void main(final String[] args) throws Exception {
        final RawJdkGcm raw = new RawJdkGcm();
        final AtomicInteger rawObjects = new AtomicInteger();
        final SealstreamCodec sealstream = new SealstreamCodec();
        final TinkCodec tink4k = new TinkCodec(TinkCodec.AES256_GCM_HKDF_4KB);
        final TinkCodec tink1m = new TinkCodec(TinkCodec.AES256_GCM_HKDF_1MB);
        final EsdkCodec esdkSigning = new EsdkCodec(EsdkCodec.SIGNING);
        final EsdkCodec esdkCommitting = new EsdkCodec(EsdkCodec.COMMITTING);

        final List<Contender> contenders = List.of(
                new Contender("raw_jdk_gcm", Integer.MAX_VALUE, p -> {
                    final int object = rawObjects.incrementAndGet();
                    final byte[] c = new byte[RawJdkGcm.ciphertextLength(p.length)];
                    final int written = raw.encrypt(object, p, c);
                    final byte[] back = new byte[p.length];
                    final int n = raw.decrypt(object, c, written, back);
                    return Arrays.copyOf(back, n);
                }),
                new Contender("sealstream", Integer.MAX_VALUE, p -> sealstream.decrypt(sealstream.encrypt(p))),
                new Contender("sealstream_stream", Integer.MAX_VALUE,
                        p -> StreamingCodec.decrypt(sealstream, StreamingCodec.encrypt(sealstream, p))),
                // The two sealstream routes write the same format: each must read what the other wrote.
                new Contender("sealstream_oneshot->stream", Integer.MAX_VALUE,
                        p -> StreamingCodec.decrypt(sealstream, sealstream.encrypt(p))),
                new Contender("sealstream_stream->oneshot", Integer.MAX_VALUE,
                        p -> sealstream.decrypt(StreamingCodec.encrypt(sealstream, p))),
                new Contender("tink_4kb", Integer.MAX_VALUE, p -> StreamingCodec.decrypt(tink4k, StreamingCodec.encrypt(tink4k, p))),
                new Contender("tink_1mb", Integer.MAX_VALUE, p -> StreamingCodec.decrypt(tink1m, StreamingCodec.encrypt(tink1m, p))),
                new Contender("esdk_signing", ESDK_MAX_SIZE, p -> esdkSigning.decrypt(esdkSigning.encrypt(p))),
                new Contender("esdk_committing", ESDK_MAX_SIZE, p -> esdkCommitting.decrypt(esdkCommitting.encrypt(p))));

        final List<String> failures = new ArrayList<>();
        for (final Contender contender : contenders) {
            int checked = 0;
            for (final int size : SIZES) {
                if (size > contender.maxSize()) {
                    continue;
                }
                final byte[] plaintext = BenchFixtures.plaintext(size);
                try {
                    if (!Arrays.equals(plaintext, contender.roundTrip().apply(plaintext))) {
                        failures.add(contender.name() + " @ " + size + ": decrypted bytes differ");
                    }
                } catch (final Exception e) {
                    failures.add(contender.name() + " @ " + size + ": " + e);
                }
                checked++;
            }
            System.out.printf("%-28s %2d sizes checked%n", contender.name(), checked);
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.out.println("FAIL " + f));
            System.exit(1);
        }
        System.out.println("OK: every contender round-trips");
    }
}
