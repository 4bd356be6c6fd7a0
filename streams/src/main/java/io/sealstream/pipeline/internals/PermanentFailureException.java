package io.sealstream.pipeline.internals;

import io.sealstream.pipeline.ReasonCode;
import java.io.IOException;

/**
 * A problem with the event itself: it goes to the dead-letter topic with {@link #reasonCode()}. An IOException so it
 * can leave an object store's content writer unchanged (the store then commits nothing).
 */
public final class PermanentFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reasonCode;

    public PermanentFailureException(final ReasonCode reasonCode, final String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public ReasonCode reasonCode() {
        return reasonCode;
    }
}
