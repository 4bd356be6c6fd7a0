package io.sealstream.store;

import java.io.IOException;

/** The object does not exist. Permanent for that object: retrying will not help. */
public class ObjectNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(final ObjectLocation location) {
        super("object not found: " + location);
    }
}
