package io.sealstream.envelope;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.WrappedDataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Runs the envelope's encrypt and decrypt paths over throwaway data so that the JIT compiles them (and the JDK's
 * AES-GCM intrinsics) within the first few objects: without it, the first 200 MiB or so after a start are encrypted
 * at tens of MiB/s instead of over 1 GiB/s (docs/PERFORMANCE.md, "Cold start").
 *
 * <p>No secret is involved: the data key is random, made here, used for zeros only and destroyed; nothing written is
 * kept (the ciphertext goes to a counting sink, segment by segment).
 */
public final class JitWarmup {

    private static final int OBJECT_BYTES = 4 * 1024;

    private JitWarmup() {
    }

    /**
     * Encrypts {@code bytes} of zeros under {@code preset}, as 4 KiB objects, into a discarding sink, then one
     * multi-segment object, which it decrypts back; returns the bytes encrypted.
     */
    public static long run(final Preset preset, final long bytes) throws IOException {
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        final WrappedDataKey wrapped = new WrappedDataKey(DekIds.newDekId(), new KekRef("warmup", "warmup", "0"),
                new byte[60], KeyScope.UNSCOPED);
        final EncryptionContext context = EncryptionContext.of(Map.of("sealstream-warmup", "1"));
        final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(preset, false);
        final byte[] chunk = new byte[preset.segmentSize()];
        long done = 0;
        try (DataKey dek = new DataKey(key, wrapped)) {
            // Many small objects: C2 compiles (and swaps in the AES-GCM intrinsics) after thousands of calls, not
            // after a number of bytes, so 4 KiB objects get there for an eighth of the CPU that whole segments take
            // (measured: 32 MiB in 4 KiB objects, 1.75 s of CPU, then 16 MiB objects at 2+ GiB/s from the 2nd-5th).
            final long perObject = Math.min(OBJECT_BYTES, preset.segmentSize());
            while (done < bytes) {
                try (OutputStream out = encryptor.encryptingStream(OutputStream.nullOutputStream(), dek, context)) {
                    for (long n = 0; n < perObject; n += chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, perObject - n));
                    }
                }
                done += perObject;
            }
            // And the multi-segment stream once each way.
            final ByteArrayOutputStream one = new ByteArrayOutputStream();
            try (OutputStream out = encryptor.encryptingStream(one, dek, context)) {
                out.write(chunk);
                out.write(chunk);
                out.write(chunk, 0, 1);
            }
            final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(w -> dek.copy());
            try (DecryptingInputStream in = decryptor.decryptingStream(new ByteArrayInputStream(one.toByteArray()), context)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return done;
    }

    /**
     * The read side (the S3 gateway): decrypts {@code bytes} worth of 4 KiB objects, so that GCM decryption (its own
     * JIT-compiled path, apart from encryption's) runs at full speed from the first reads: measured here, a cold JVM
     * decrypts 64 KiB segments at about 100 MiB/s for its first 250 MiB, then at 4+ GiB/s. Returns the bytes decrypted.
     */
    public static long runDecryption(final Preset preset, final long bytes) throws IOException {
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        final WrappedDataKey wrapped = new WrappedDataKey(DekIds.newDekId(), new KekRef("warmup", "warmup", "0"),
                new byte[60], KeyScope.UNSCOPED);
        final EncryptionContext context = EncryptionContext.of(Map.of("sealstream-warmup", "1"));
        long done = 0;
        try (DataKey dek = new DataKey(key, wrapped)) {
            final int perObject = Math.min(OBJECT_BYTES, preset.segmentSize());
            final byte[] object = new EnvelopeEncryptor(preset, false).encrypt(dek, new byte[perObject], context);
            final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(w -> dek.copy());
            while (done < bytes) {
                decryptor.decrypt(object, context);
                done += perObject;
            }
        }
        return done;
    }
}
