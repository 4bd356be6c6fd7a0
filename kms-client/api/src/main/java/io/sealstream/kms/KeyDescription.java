package io.sealstream.kms;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a KMS says about one KEK: its versions (oldest first) and which one wraps new data keys. No secret.
 */
public record KeyDescription(String provider, String keyId, String currentVersion, List<String> versions, Instant created) {

    public KeyDescription {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(currentVersion, "currentVersion");
        versions = List.copyOf(versions);
        if (!versions.contains(currentVersion)) {
            throw new IllegalArgumentException("current version " + currentVersion + " is not among the versions");
        }
    }

    public KekRef currentRef() {
        return new KekRef(provider, keyId, currentVersion);
    }
}
