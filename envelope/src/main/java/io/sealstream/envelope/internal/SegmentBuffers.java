package io.sealstream.envelope.internal;

/**
 * A per-thread stash of full-segment buffers for the streams. Allocating (and so zeroing) two segment-sized arrays
 * per object measurably slows objects of a few segments; reusing them avoids that. A plaintext buffer is zeroed by
 * its stream before it is given back. At most two buffers per thread are kept (one plaintext, one ciphertext).
 */
public final class SegmentBuffers {

    private static final int SLOTS = 2;
    private static final ThreadLocal<byte[][]> FREE = ThreadLocal.withInitial(() -> new byte[SLOTS][]);

    private SegmentBuffers() {
    }

    /** A buffer of exactly {@code size} bytes, reused when this thread has one. Its contents are undefined. */
    public static byte[] take(final int size) {
        final byte[][] free = FREE.get();
        for (int i = 0; i < SLOTS; i++) {
            final byte[] b = free[i];
            if (b != null && b.length == size) {
                free[i] = null;
                return b;
            }
        }
        return new byte[size];
    }

    /** Gives a buffer back; the caller must not use it any more and must have cleared any secret in it. */
    public static void give(final byte[] buffer) {
        final byte[][] free = FREE.get();
        for (int i = 0; i < SLOTS; i++) {
            if (free[i] == null) {
                free[i] = buffer;
                return;
            }
        }
        free[0] = buffer; // replace: keeps the stash current when segment sizes change
    }
}
