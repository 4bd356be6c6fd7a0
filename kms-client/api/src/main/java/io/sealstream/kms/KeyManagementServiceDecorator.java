package io.sealstream.kms;

import java.util.Optional;

/**
 * A {@link KeyManagementService} that adds behaviour (caching, retries, metrics) around another one.
 * Exposing the delegate lets callers find one layer of an assembled stack, e.g. the metrics, without keeping
 * references to every layer.
 */
public interface KeyManagementServiceDecorator extends KeyManagementService {

    /** The service this decorator forwards to. */
    KeyManagementService delegate();

    /** The first layer of {@code kms} (itself included) that is a {@code type}, walking down through decorators. */
    static <T extends KeyManagementService> Optional<T> find(final KeyManagementService kms, final Class<T> type) {
        KeyManagementService current = kms;
        while (current != null) {
            if (type.isInstance(current)) {
                return Optional.of(type.cast(current));
            }
            current = current instanceof KeyManagementServiceDecorator decorator ? decorator.delegate() : null;
        }
        return Optional.empty();
    }

    /**
     * The first layer of {@code kms} (itself included) that also plays {@code role} (e.g. {@link SigningKeys}), walking
     * down through decorators; empty if no layer does.
     */
    static <T> Optional<T> findRole(final KeyManagementService kms, final Class<T> role) {
        KeyManagementService current = kms;
        while (current != null) {
            if (role.isInstance(current)) {
                return Optional.of(role.cast(current));
            }
            current = current instanceof KeyManagementServiceDecorator decorator ? decorator.delegate() : null;
        }
        return Optional.empty();
    }
}
