package io.sealstream.app;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Opening a command's clients side by side: one on a daemon thread of its own while the command opens the rest, so
 * that their set-up (class loading, broker and registry round trips) overlaps instead of adding up.
 */
public final class Background {

    private Background() {
    }

    /** Starts {@code open} on a daemon thread named {@code name}. */
    public static <T> CompletableFuture<T> supply(final String name, final Supplier<T> open) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread t = new Thread(() -> {
            try {
                result.complete(open.get());
            } catch (final Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Waits for {@code opening}; its failure is rethrown as it was thrown. */
    public static <T> T await(final CompletableFuture<T> opening) {
        try {
            return opening.join();
        } catch (final CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Runs {@code open}; if it fails, whatever {@code other} opens (now or later) is closed, since no try-with-resources
     * will see it.
     */
    public static <T, R extends AutoCloseable> T closingOnFailure(final CompletableFuture<R> other, final Supplier<T> open) {
        try {
            return open.get();
        } catch (final RuntimeException | Error e) {
            other.thenAccept(resource -> {
                try {
                    resource.close();
                } catch (final Exception closing) {
                    e.addSuppressed(closing);
                }
            });
            throw e;
        }
    }
}
