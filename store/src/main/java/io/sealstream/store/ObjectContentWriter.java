package io.sealstream.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces an object's bytes into the store's stream. If it throws, the store commits nothing and rethrows the
 * same exception unchanged, so the caller can tell its own failures (a checksum mismatch) from the store's.
 */
@FunctionalInterface
public interface ObjectContentWriter {
    void writeTo(OutputStream out) throws IOException;
}
