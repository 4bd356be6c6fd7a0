package io.sealstream.store;

import java.io.IOException;

/** The store cannot be reached, or is throttling: a transient failure, so retry later. */
public class ObjectStoreUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectStoreUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
