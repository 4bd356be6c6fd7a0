package io.sealstream.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic object content of any size, produced on the fly (never held whole): the byte at position p is
 * {@code pool[p % POOL]} for a random pool of a prime length, so no part size lines up with it and a misplaced or
 * repeated part changes the digest.
 */
final class TestContent {

    private static final int POOL = 1_000_003;
    /** Write sizes cycled through, so that writes straddle every buffer and part boundary; 1 uses write(int). */
    private static final int[] WRITE_SIZES = {1, 7, 8191, 65_536, 100_003, 1, 300_000};

    private final byte[] pool = new byte[POOL];
    private final long size;

    TestContent(final long size, final long seed) {
        this.size = size;
        new SplittableRandom(seed).nextBytes(pool);
    }

    long size() {
        return size;
    }

    /** Writes the content in irregular pieces. */
    void writeTo(final OutputStream out) throws IOException {
        long written = 0;
        int turn = 0;
        while (written < size) {
            final int want = (int) Math.min(WRITE_SIZES[turn++ % WRITE_SIZES.length], size - written);
            final int at = (int) (written % POOL);
            if (want == 1) {
                out.write(pool[at]);
            } else {
                int done = 0;
                while (done < want) {
                    final int from = (at + done) % POOL;
                    final int n = Math.min(want - done, POOL - from);
                    out.write(pool, from, n);
                    done += n;
                }
            }
            written += want;
        }
    }

    /** Writes the first {@code limit} bytes only. */
    void writePrefix(final OutputStream out, final long limit) throws IOException {
        long written = 0;
        while (written < limit) {
            final int at = (int) (written % POOL);
            final int n = (int) Math.min(POOL - at, limit - written);
            out.write(pool, at, n);
            written += n;
        }
    }

    String sha256() {
        final MessageDigest digest = sha256Digest();
        long done = 0;
        while (done < size) {
            final int at = (int) (done % POOL);
            final int n = (int) Math.min(POOL - at, size - done);
            digest.update(pool, at, n);
            done += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The digest and length of everything the stream yields, read in odd-sized pieces; closes the stream. */
    static Read read(final InputStream in) throws IOException {
        final MessageDigest digest = sha256Digest();
        final byte[] buffer = new byte[50_021];
        long total = 0;
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                total += n;
            }
        }
        return new Read(total, HexFormat.of().formatHex(digest.digest()));
    }

    record Read(long size, String sha256) {
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
