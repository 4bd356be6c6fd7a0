package io.sealstream.dev;
import io.sealstream.cli.CliFailure;
import io.sealstream.cli.IoAware;
import io.sealstream.cli.SealstreamCli;

import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EncryptionContext;
import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.kms.stack.KmsClients;
import io.sealstream.kms.cache.CachingKeyManagementService;
import io.sealstream.kms.cache.DataKeyCacheStats;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sealstream envelope-demo}: the format and the KMS client without Kafka. Creates a local key store under
 * {@code ./data}, encrypts many small objects and one large streamed object through the cached KMS client, decrypts
 * and verifies them, rotates the KEK, and shows that tampering is rejected. {@code sealstream demo} runs the
 * whole pipeline.
 */
@Command(name = "envelope-demo", description = "The envelope format alone, no Kafka: cached keys, streaming, rotation, tamper checks.")
final class EnvelopeDemoCommand extends IoAware implements Callable<Integer> {

    private static final String KEK = "demo-tenant";

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/demo", description = "Working directory. Default: ${DEFAULT-VALUE}.")
    Path dir;
    @Option(names = "--large-mib", paramLabel = "MIB", defaultValue = "128", description = "Size of the large streamed object. Default: ${DEFAULT-VALUE}.")
    int largeMib;
    @Option(names = "--small-objects", paramLabel = "N", defaultValue = "20000", description = "How many 1 KiB objects. Default: ${DEFAULT-VALUE}.")
    int smallObjects;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = io.stdout();
        Files.createDirectories(dir);
        final Path keystore = dir.resolve("keys.p12");
        final Map<String, String> env = new HashMap<>(io.environment());
        if (!env.containsKey(LocalKeyStoreKms.PASSPHRASE_ENV) && !env.containsKey(LocalKeyStoreKms.PASSPHRASE_FILE_ENV)) {
            env.put(LocalKeyStoreKms.PASSPHRASE_FILE_ENV, demoPassphraseFile().toString());
        }
        try (LocalKeyStoreKms local = LocalKeyStoreKms.openFromEnvironment(keystore, env);
             CachingKeyManagementService kms = KmsClients.standard(local)) {
            if (local.listKeys().stream().noneMatch(k -> k.keyId().equals(KEK))) {
                local.createKey(KEK);
            }
            out.println("key store   " + keystore + "  KEK " + local.describeKey(KEK).currentRef());
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);

            // 1. Many small objects: one KMS call for all of them, thanks to the data-key cache.
            final byte[] small = new byte[1024];
            new SecureRandom().nextBytes(small);
            long t0 = System.nanoTime();
            byte[] last = null;
            for (int i = 0; i < smallObjects; i++) {
                last = envelope.encrypt(KEK, small, EncryptionContext.of("tenant", "demo", "object-key", "small/" + i));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            DataKeyCacheStats stats = kms.stats();
            out.printf("small       %,d x 1 KiB encrypted in %.2f s (%,.0f objects/s); KMS calls: %d%n", smallObjects, secs,
                    smallObjects / secs, stats.kmsCalls());
            check(envelope.decrypt(last, EncryptionContext.of("tenant", "demo", "object-key", "small/" + (smallObjects - 1))),
                    small, "last small object");

            // 2. One large object, streamed through a file: memory stays at one segment.
            final Path sealed = dir.resolve("large.seal");
            final EncryptionContext ctx = EncryptionContext.of("tenant", "demo", "object-key", "large.bin");
            final MessageDigest plainDigest = sha256();
            t0 = System.nanoTime();
            try (OutputStream file = Files.newOutputStream(sealed);
                 EncryptingOutputStream enc = envelope.encryptingStream(file, KEK, ctx)) {
                writeGenerated(enc, (long) largeMib << 20, plainDigest);
            }
            secs = (System.nanoTime() - t0) / 1e9;
            out.printf("large       %d MiB streamed and encrypted to %s in %.2f s (%.0f MiB/s)%n", largeMib,
                    sealed, secs, largeMib / secs);
            final MessageDigest backDigest = sha256();
            t0 = System.nanoTime();
            try (InputStream in = envelope.decryptingStream(Files.newInputStream(sealed), ctx)) {
                final byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    backDigest.update(buf, 0, n);
                }
            }
            secs = (System.nanoTime() - t0) / 1e9;
            final boolean same = MessageDigest.isEqual(plainDigest.digest(), backDigest.digest());
            out.printf("decrypted   %d MiB in %.2f s (%.0f MiB/s); SHA-256 matches the original: %s%n", largeMib, secs,
                    largeMib / secs, same);
            if (!same) {
                throw new CliFailure("demo: decrypted data does not match the original", SealstreamCli.EXIT_FAILURE);
            }

            // 3. Rotation: new objects use the new KEK version, old ones still decrypt.
            final byte[] before = envelope.encrypt(KEK, small, ctx);
            kms.rotateKey(KEK);
            final byte[] after = envelope.encrypt(KEK, small, ctx);
            out.println("rotated     " + KEK + " -> " + local.describeKey(KEK).currentRef() + "; object before: "
                    + EnvelopeDecryptor.parseHeader(before).wrappedDataKey().kek() + ", after: "
                    + EnvelopeDecryptor.parseHeader(after).wrappedDataKey().kek());
            check(envelope.decrypt(before, ctx), small, "object under the old KEK version");
            check(envelope.decrypt(after, ctx), small, "object under the new KEK version");

            // 4. Fail closed: tampering and a wrong context are rejected without plaintext.
            final byte[] tampered = after.clone();
            tampered[tampered.length - 20] ^= 1;
            out.println("tampered    " + rejection(envelope, tampered, ctx));
            out.println("wrong ctx   " + rejection(envelope, after, EncryptionContext.of("tenant", "other")));
            stats = kms.stats();
            out.printf("kms         calls=%d  encrypt hits=%d misses=%d  unwrap hits=%d misses=%d%n", stats.kmsCalls(),
                    stats.encryptHits(), stats.encryptMisses(), stats.unwrapHits(), stats.unwrapMisses());
            out.println("demo OK");
        }
        return 0;
    }

    private Path demoPassphraseFile() throws IOException {
        return DemoCommand.demoPassphraseFile(dir, io.stdout());
    }

    private static String rejection(final EnvelopeEncryption envelope, final byte[] object, final EncryptionContext ctx) {
        try {
            envelope.decrypt(object, ctx);
            throw new CliFailure("demo: a modified object was accepted", SealstreamCli.EXIT_FAILURE);
        } catch (final EnvelopeException e) {
            return "rejected (" + e.reasonCode() + "): " + e.getMessage();
        }
    }

    private static void check(final byte[] actual, final byte[] expected, final String what) {
        if (!java.util.Arrays.equals(actual, expected)) {
            throw new CliFailure("demo: " + what + " did not decrypt to the original", SealstreamCli.EXIT_FAILURE);
        }
    }

    private static void writeGenerated(final OutputStream out, final long size, final MessageDigest digest) throws IOException {
        DemoCommand.writeGenerated(out, size, digest);
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }
}
