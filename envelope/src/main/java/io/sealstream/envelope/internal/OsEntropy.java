package io.sealstream.envelope.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Fresh randomness from the operating system, mixed into the key of the per-thread salt generator of
 * {@link ObjectRandomness} whenever it may have been restored from a snapshot. The generator and the data-key cache
 * are process state: a process restored twice from one snapshot (CRaC, a cloned VM, a container checkpoint) would
 * replay both, and two objects would get the same salt under the same data key, hence the same object key and nonces.
 * The kernel's state is not in the snapshot (and Linux reseeds it when it learns of a VM clone), so bytes read from it
 * after the restore differ between the copies. The JDK's own generators can not be used for this: their state is in
 * the snapshot too.
 *
 * <p>{@code /dev/urandom}, one {@code read(2)} per call (about 1.6 µs here); on Windows {@code Windows-PRNG}, which
 * asks the OS on every call. Where neither exists nothing is mixed, and {@link #source()} says so.
 */
final class OsEntropy {

    /** The most bytes one call mixes in. */
    static final int BYTES = 32;

    private static final Path URANDOM = Path.of("/dev/urandom");
    private static final boolean HAS_URANDOM = Files.isReadable(URANDOM);
    private static final SecureRandom WINDOWS = windowsGenerator();
    private static final ThreadLocal<Reader> READERS = ThreadLocal.withInitial(Reader::new);

    private OsEntropy() {
    }

    /** Where the per-object randomness comes from: {@code /dev/urandom}, {@code Windows-PRNG}, or {@code none}. */
    static String source() {
        return HAS_URANDOM ? URANDOM.toString() : WINDOWS != null ? "Windows-PRNG" : "none";
    }

    /** XORs {@code length} (at most {@value #BYTES}) fresh bytes from the OS into the start of {@code target}. */
    static void mixInto(final byte[] target, final int length) {
        if (length > BYTES || length > target.length) {
            throw new IllegalArgumentException("at most " + BYTES + " bytes, and no more than the target holds");
        }
        if (HAS_URANDOM) {
            READERS.get().mixInto(target, length);
        } else if (WINDOWS != null) {
            final byte[] fresh = new byte[length];
            WINDOWS.nextBytes(fresh);
            for (int i = 0; i < length; i++) {
                target[i] ^= fresh[i];
            }
            java.util.Arrays.fill(fresh, (byte) 0);
        }
    }

    private static SecureRandom windowsGenerator() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return null;
        }
        try {
            return SecureRandom.getInstance("Windows-PRNG");
        } catch (final java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** A thread's open {@code /dev/urandom} and a direct buffer, so a read costs one system call and no allocation. */
    private static final class Reader {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BYTES);
        private FileChannel channel;

        void mixInto(final byte[] target, final int length) {
            buffer.clear().limit(length);
            try {
                if (channel == null || !channel.isOpen()) {
                    channel = FileChannel.open(URANDOM, StandardOpenOption.READ);
                }
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        throw new IOException("end of " + URANDOM);
                    }
                }
            } catch (final IOException e) {
                // Fail closed: no object is written with a salt that might repeat after a restore.
                throw new IllegalStateException("cannot read fresh randomness from " + URANDOM + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < length; i++) {
                target[i] ^= buffer.get(i);
                buffer.put(i, (byte) 0);
            }
        }
    }
}
