package io.sealstream.bench;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.envelope.EnvelopeEncryptor;
import io.sealstream.envelope.JitWarmup;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.WrappedDataKey;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * Time to full speed in a fresh JVM: encrypts {@code objects} objects of {@code size} MiB one after the other and prints
 * each one's MiB/s, after the app's start-up warm-up ({@link JitWarmup}) of {@code warmup} MiB, or none with 0. Run
 * it once with 0 and once with the app's default (32) to see what the warm-up buys and what it costs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sealstream.bench.JitColdStart 32 16 8    # warm-up MiB, object MiB, objects
 * </pre>
 */
public final class JitColdStart {

    private JitColdStart() {
    }

    public static void main(final String[] args) throws Exception {
        final long warmup = Long.parseLong(args[0]) << 20;
        final int sizeMiB = Integer.parseInt(args[1]);
        final int objects = Integer.parseInt(args[2]);
        final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final long cpu0 = os.getProcessCpuTime();
        final long t0 = System.nanoTime();
        JitWarmup.run(Preset.DEFAULT, warmup);
        System.out.printf(Locale.ROOT, "warm-up of %d MiB: %.0f ms, %.0f ms of CPU (JIT threads included)%n",
                warmup >> 20, (System.nanoTime() - t0) / 1e6, (os.getProcessCpuTime() - cpu0) / 1e6);
        final WrappedDataKey wrapped = new WrappedDataKey(DekIds.newDekId(), new KekRef("bench", "cold", "1"),
                new byte[60], KeyScope.UNSCOPED);
        final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(Preset.DEFAULT, false);
        final byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < objects; i++) {
            final long started = System.nanoTime();
            try (DataKey dek = new DataKey(new byte[32], wrapped);
                 OutputStream out = encryptor.encryptingStream(OutputStream.nullOutputStream(), dek,
                         EncryptionContext.of(Map.of("object", Integer.toString(i))))) {
                for (int m = 0; m < sizeMiB; m++) {
                    out.write(chunk);
                }
            }
            System.out.printf(Locale.ROOT, "object %d (%d MiB): %.0f MiB/s%n", i + 1, sizeMiB,
                    sizeMiB / ((System.nanoTime() - started) / 1e9));
        }
    }
}
