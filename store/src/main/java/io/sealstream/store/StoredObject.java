package io.sealstream.store;

import java.util.Map;

/** An object as committed in a store: its location, size in bytes and user metadata (lower-case keys). */
public record StoredObject(ObjectLocation location, long size, Map<String, String> metadata) {
    public StoredObject {
        metadata = Map.copyOf(metadata);
    }
}
