package io.sealstream.kms;

import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;

/**
 * A plaintext AES-256 data key together with its wrapped form. <b>Holds key material.</b>
 *
 * <p>Whoever receives a {@code DataKey} from a {@link KeyManagementService} owns it and must
 * {@link #close()} (= {@link #destroy()}) it, which overwrites the key bytes with zeros. {@link #toString()}
 * never prints the key.
 */
public final class DataKey implements Destroyable, AutoCloseable {

    /** AES-256. */
    public static final int KEY_BYTES = 32;

    private final byte[] key;
    private final WrappedDataKey wrapped;
    private volatile boolean destroyed;

    /** Takes ownership of {@code keyBytes}: the caller must not keep or reuse the array. */
    public DataKey(final byte[] keyBytes, final WrappedDataKey wrapped) {
        Objects.requireNonNull(keyBytes, "keyBytes");
        this.wrapped = Objects.requireNonNull(wrapped, "wrapped");
        if (keyBytes.length != KEY_BYTES) {
            Arrays.fill(keyBytes, (byte) 0);
            throw new IllegalArgumentException("data key must be " + KEY_BYTES + " bytes");
        }
        this.key = keyBytes;
    }

    public WrappedDataKey wrapped() {
        return wrapped;
    }

    public String dekId() {
        return wrapped.dekId();
    }

    public KekRef kek() {
        return wrapped.kek();
    }

    /** A fresh copy of the key bytes; the caller must zero it after use. */
    public byte[] copyKeyBytes() {
        checkNotDestroyed();
        return key.clone();
    }

    /** An independent copy of this data key, owned by the caller. */
    public DataKey copy() {
        return new DataKey(copyKeyBytes(), wrapped);
    }

    /** The key as a JCA {@link SecretKey} (a copy; JCA key objects can not be zeroed reliably, keep them short-lived). */
    public SecretKey toSecretKey(final String algorithm) {
        final byte[] copy = copyKeyBytes();
        try {
            return new SecretKeySpec(copy, algorithm);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("data key " + wrapped.dekId() + " has been destroyed");
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "DataKey[dekId=" + wrapped.dekId() + ", kek=" + wrapped.kek() + ", key=<redacted>"
                + (destroyed ? ", destroyed" : "") + "]";
    }
}
