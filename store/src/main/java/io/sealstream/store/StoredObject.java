package io.sealstream.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An object as committed in a store: its location, size in bytes, user metadata (lower-case keys) and when it was
 * last written ({@link Instant#EPOCH} where the store did not say, e.g. right after a put).
 */
public record StoredObject(ObjectLocation location, long size, Map<String, String> metadata, Instant lastModified) {
    public StoredObject {
        metadata = Map.copyOf(metadata);
        lastModified = Objects.requireNonNullElse(lastModified, Instant.EPOCH);
    }

    public StoredObject(final ObjectLocation location, final long size, final Map<String, String> metadata) {
        this(location, size, metadata, Instant.EPOCH);
    }

    /** Same location, size and metadata: the same object, whenever the store last said it was written. */
    @Override
    public boolean equals(final Object o) {
        return o instanceof StoredObject other && location.equals(other.location) && size == other.size
                && metadata.equals(other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, size, metadata);
    }
}
