package io.sealstream.bench;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheStats;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How many KMS calls the standard client stack (data-key cache with its default limits, over the local provider)
 * makes for N object encryptions followed by N decryptions, each object with its own context. Usage:
 * {@code KmsCallsPerEncryption [N=100000] [threads=1]}.
 */
public final class KmsCallsPerEncryption {

    private KmsCallsPerEncryption() {
    }

    public static void main(final String[] args) throws Exception {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        final int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final Path dir = Files.createTempDirectory("sealstream-kms-calls");
        final byte[] plaintext = BenchFixtures.plaintext(1024);
        try (LocalKeyStoreKms local = LocalKeyStoreKms.open(dir.resolve("keys.p12"), "bench-passphrase".toCharArray());
             CachingKeyManagementService kms = KmsClients.standard(local)) {
            local.createKey("bench-kek");
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);
            final byte[][] objects = new byte[n][];
            final long t0 = System.nanoTime();
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int first = t;
                workers[t] = new Thread(() -> {
                    try {
                        for (int i = first; i < n; i += threads) {
                            objects[i] = envelope.encrypt("bench-kek", plaintext, context(i));
                        }
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                workers[t].start();
            }
            for (final Thread w : workers) {
                w.join();
            }
            final double encryptSeconds = (System.nanoTime() - t0) / 1e9;
            final DataKeyCacheStats afterEncrypt = kms.stats();
            for (int i = 0; i < n; i++) {
                envelope.decrypt(objects[i], context(i));
            }
            final DataKeyCacheStats afterDecrypt = kms.stats();
            System.out.printf(Locale.ROOT, "%,d encryptions (%d threads, %.1f s): KMS calls %d (cache hits %,d, misses %d)%n",
                    n, threads, encryptSeconds, afterEncrypt.kmsCalls(), afterEncrypt.encryptHits(), afterEncrypt.encryptMisses());
            System.out.printf(Locale.ROOT, "%,d decryptions: KMS calls %d (unwrap hits %,d, misses %d)%n", n,
                    afterDecrypt.kmsCalls() - afterEncrypt.kmsCalls(), afterDecrypt.unwrapHits(), afterDecrypt.unwrapMisses());
            System.out.printf(Locale.ROOT, "KMS calls per 100,000 encryptions: %.2f%n", afterEncrypt.kmsCalls() * 100_000.0 / n);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static EncryptionContext context(final int i) {
        return EncryptionContext.of("tenant", "acme", "bucket", "bench", "object-key", "o/" + i);
    }
}
