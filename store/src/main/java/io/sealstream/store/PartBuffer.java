package io.sealstream.store;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;

/**
 * A FIFO byte buffer made of chunks, for the S3 store's upload: bytes are appended at the tail, a part is read from
 * the head (as often as the SDK needs: signing, sending, retries) and then discarded. Chunks start small (a tiny
 * object costs 8 KiB, not a whole part), grow to 1 MiB, and are recycled rather than freed, so the bytes allocated
 * by one upload are its peak buffering, which {@link #allocatedBytes()} reports. Not thread-safe.
 */
final class PartBuffer {

    static final int MIN_CHUNK = 8 * 1024;
    static final int MAX_CHUNK = 1024 * 1024;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    /** Bytes of the first chunk already discarded. */
    private int headOffset;
    /** Bytes used in the last chunk. */
    private int tailFill;
    private long size;
    private long allocated;

    long size() {
        return size;
    }

    /** Bytes of chunk arrays this buffer ever allocated: its peak footprint, since chunks are recycled. */
    long allocatedBytes() {
        return allocated;
    }

    void write(final int b) {
        tailWithRoom()[tailFill++] = (byte) b;
        size++;
    }

    void write(final byte[] b, final int off, final int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        int from = off;
        int remaining = len;
        while (remaining > 0) {
            final byte[] tail = tailWithRoom();
            final int n = Math.min(remaining, tail.length - tailFill);
            System.arraycopy(b, from, tail, tailFill, n);
            tailFill += n;
            from += n;
            remaining -= n;
            size += n;
        }
    }

    private byte[] tailWithRoom() {
        if (chunks.isEmpty() || tailFill == chunks.peekLast().length) {
            byte[] next = spare.pollFirst();
            if (next == null) {
                final long wanted = Math.max(MIN_CHUNK, Long.highestOneBit(Math.max(1, size)));
                next = new byte[(int) Math.min(MAX_CHUNK, wanted)];
                allocated += next.length;
            }
            chunks.addLast(next);
            tailFill = 0;
        }
        return chunks.peekLast();
    }

    /** A stream over the first {@code length} buffered bytes; the buffer must not change while it is read. */
    InputStream open(final long length) {
        if (length < 0 || length > size) {
            throw new IllegalArgumentException("cannot read " + length + " of " + size + " buffered bytes");
        }
        return new Reader(length);
    }

    /** Drops the first {@code length} bytes, recycling the chunks they freed. */
    void discard(final long length) {
        if (length < 0 || length > size) {
            throw new IllegalArgumentException("cannot discard " + length + " of " + size + " buffered bytes");
        }
        long remaining = length;
        while (remaining > 0) {
            final byte[] head = chunks.peekFirst();
            final int end = chunks.size() == 1 ? tailFill : head.length;
            final int available = end - headOffset;
            if (remaining < available) {
                headOffset += (int) remaining;
                size -= remaining;
                return;
            }
            remaining -= available;
            size -= available;
            chunks.pollFirst();
            spare.addLast(head);
            headOffset = 0;
            if (chunks.isEmpty()) {
                tailFill = 0;
            }
        }
    }

    /** Lets go of every chunk. */
    void release() {
        chunks.clear();
        spare.clear();
        headOffset = 0;
        tailFill = 0;
        size = 0;
    }

    private final class Reader extends InputStream {
        private final Iterator<byte[]> it = chunks.iterator();
        private byte[] current;
        private int pos;
        private int end;
        private long remaining;
        private boolean first = true;

        Reader(final long length) {
            this.remaining = length;
        }

        private boolean advance() {
            while (current == null || pos == end) {
                if (!it.hasNext()) {
                    return false;
                }
                current = it.next();
                pos = first ? headOffset : 0;
                end = it.hasNext() ? current.length : tailFill;
                first = false;
            }
            return true;
        }

        @Override
        public int read() {
            if (remaining == 0 || !advance()) {
                return -1;
            }
            remaining--;
            return current[pos++] & 0xff;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int done = 0;
            while (done < len && remaining > 0 && advance()) {
                final int n = (int) Math.min(Math.min(len - done, end - pos), remaining);
                System.arraycopy(current, pos, b, off + done, n);
                pos += n;
                done += n;
                remaining -= n;
            }
            return done == 0 ? -1 : done;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, remaining);
        }
    }
}
