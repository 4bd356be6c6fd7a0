package io.sealstream.pipeline;

import io.sealstream.events.RotationEvent;

/** Where rotation events go: the rotation topic in the application, a list in tests. Must not block for long. */
@FunctionalInterface
public interface RotationEvents {
    void publish(RotationEvent event);
}
