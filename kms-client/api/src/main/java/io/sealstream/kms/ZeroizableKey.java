package io.sealstream.kms;

import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * A secret key whose bytes sealstream owns and zeroes on {@link #destroy()}: the JDK 17 {@code SecretKeySpec} keeps a
 * copy that can not be destroyed until garbage collection. <b>Holds key material.</b> {@link #getEncoded()} hands out a
 * copy, as JCA providers expect; the JDK's HMAC and AES zero that copy once they have built their own key schedule.
 */
public final class ZeroizableKey implements SecretKey, Destroyable {

    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] bytes;
    private volatile boolean destroyed;

    /** A copy of {@code bytes} as a key for {@code algorithm} ({@code AES}, {@code HmacSHA256}). */
    public ZeroizableKey(final byte[] bytes, final String algorithm) {
        this.bytes = bytes.clone();
        this.algorithm = algorithm;
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("the key has been destroyed");
        }
        return bytes.clone();
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "ZeroizableKey[" + algorithm + ", <redacted>]";
    }
}
