package io.sealstream.store;

import java.nio.file.Path;

/**
 * Configuration of {@link FilesystemObjectStore}: the root directory (default {@code ./data/objects}), made absolute
 * and normalised. The directory need not exist yet.
 */
public record FilesystemStoreConfig(Path root) implements ObjectStoreConfig {

    public static final Path DEFAULT_ROOT = Path.of("data", "objects");

    public FilesystemStoreConfig {
        root = (root == null ? DEFAULT_ROOT : root).toAbsolutePath().normalize();
    }

    /** The defaults. */
    public static FilesystemStoreConfig defaults() {
        return new FilesystemStoreConfig(null);
    }
}
