package io.sealstream.store;
import io.sealstream.health.DependencyHealth;

import io.sealstream.text.BoundedText;
import io.sealstream.store.ObjectContentWriter;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectNotFoundException;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStoreUnavailableException;
import io.sealstream.store.StoredObject;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An object store whose calls report to a {@link DependencyHealth}: outages and stalls show in the log as they happen.
 * A call is blocked on the store while inside the store's client: a metadata request, a read or write of object
 * bytes that waits on the network, the final request of an upload. The time a writer spends producing bytes, or a
 * reader spends between reads, is the caller's own.
 */
public final class MonitoredObjectStore implements ObjectStore {

    private final ObjectStore delegate;
    private final DependencyHealth health;

    public MonitoredObjectStore(final ObjectStore delegate, final DependencyHealth health) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.health = Objects.requireNonNull(health, "health");
    }

    @Override
    public StoredObject put(final ObjectLocation location, final Map<String, String> metadata,
                            final ObjectContentWriter writer) throws IOException {
        final DependencyHealth.Call call = health.begin();
        try {
            final StoredObject stored = delegate.put(location, metadata, out -> {
                call.unblocked();
                try {
                    writer.writeTo(new WatchedOutput(out, call));
                } finally {
                    call.blocked(); // the rest of the put (last part, completion) is the store's
                }
            });
            call.succeeded();
            return stored;
        } catch (final IOException | RuntimeException e) {
            report(call, e);
            throw e;
        } finally {
            call.close();
        }
    }

    @Override
    public Optional<StoredObject> head(final ObjectLocation location) throws IOException {
        return call(() -> delegate.head(location));
    }

    @Override
    public InputStream get(final ObjectLocation location) throws IOException {
        return watched(() -> delegate.get(location));
    }

    @Override
    public InputStream get(final ObjectLocation location, final long offset, final long length) throws IOException {
        return watched(() -> delegate.get(location, offset, length));
    }

    @Override
    public ObjectRead read(final ObjectLocation location, final long offset, final long length) throws IOException {
        final ObjectRead[] read = new ObjectRead[1];
        final InputStream watched = watched(() -> {
            read[0] = delegate.read(location, offset, length);
            return read[0].content();
        });
        return new ObjectRead(read[0].object(), watched);
    }

    private interface Opening {
        InputStream open() throws IOException;
    }

    private InputStream watched(final Opening opening) throws IOException {
        final DependencyHealth.Call call = health.begin();
        try {
            final InputStream in = opening.open();
            call.unblocked();
            return new WatchedInput(in, call);
        } catch (final IOException | RuntimeException e) {
            report(call, e);
            call.close();
            throw e;
        }
    }

    @Override
    public void tag(final ObjectLocation location, final Map<String, String> tags) throws IOException {
        call(() -> {
            delegate.tag(location, tags);
            return null;
        });
    }

    @Override
    public void delete(final ObjectLocation location) throws IOException {
        call(() -> {
            delegate.delete(location);
            return null;
        });
    }

    @Override
    public List<String> list(final String bucket, final String prefix, final String startAfter, final int max)
            throws IOException {
        return call(() -> delegate.list(bucket, prefix, startAfter, max));
    }

    /** One request to the store, blocked on it throughout. */
    private <T> T call(final StoreRequest<T> request) throws IOException {
        final DependencyHealth.Call call = health.begin();
        try {
            final T result = request.send();
            call.succeeded();
            return result;
        } catch (final IOException | RuntimeException e) {
            report(call, e);
            throw e;
        } finally {
            call.close();
        }
    }

    @FunctionalInterface
    private interface StoreRequest<T> {
        T send() throws IOException;
    }

    /** Work on the store's own stream: blocked on the store while it runs, and any I/O failure is the store's. */
    @FunctionalInterface
    private interface StreamWork<T> {
        T run() throws IOException;
    }

    private static <T> T onStream(final DependencyHealth.Call call, final StreamWork<T> work) throws IOException {
        call.blocked();
        try {
            return work.run();
        } catch (final IOException e) {
            // A reset connection, a read timeout: whatever fails on the store's stream is the store's failure.
            call.failed(BoundedText.message(e));
            throw e;
        } finally {
            call.unblocked();
        }
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * Unavailable: a failure of the store. Not found, or any other answer the server sent (a 403 from a least-privilege
     * policy, a missing bucket): the store is there. Anything else (the caller's own error) says nothing of it.
     */
    private static void report(final DependencyHealth.Call call, final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ObjectStoreUnavailableException) {
                call.failed(BoundedText.message(t));
                return;
            }
            if (t instanceof ObjectNotFoundException
                    || t instanceof software.amazon.awssdk.core.exception.SdkServiceException) {
                call.succeeded();
                return;
            }
        }
    }

    private static final class WatchedOutput extends FilterOutputStream {
        private final DependencyHealth.Call call;

        WatchedOutput(final OutputStream out, final DependencyHealth.Call call) {
            super(out);
            this.call = call;
        }

        @Override
        public void write(final int b) throws IOException {
            onStream(call, () -> {
                out.write(b);
                return null;
            });
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            onStream(call, () -> {
                out.write(b, off, len);
                return null;
            });
        }

        @Override
        public void flush() throws IOException {
            onStream(call, () -> {
                out.flush();
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            onStream(call, () -> {
                out.close();
                return null;
            });
        }
    }

    private static final class WatchedInput extends FilterInputStream {
        private final DependencyHealth.Call call;

        WatchedInput(final InputStream in, final DependencyHealth.Call call) {
            super(in);
            this.call = call;
        }

        @Override
        public int read() throws IOException {
            return atEnd(onStream(call, in::read));
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            return atEnd(onStream(call, () -> in.read(b, off, len)));
        }

        @Override
        public long skip(final long n) throws IOException {
            return onStream(call, () -> in.skip(n));
        }

        /** The whole object was read: the store answered. */
        private int atEnd(final int n) {
            if (n < 0) {
                call.succeeded();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                call.close();
            }
        }
    }
}
