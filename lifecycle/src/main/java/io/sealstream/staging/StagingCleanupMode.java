package io.sealstream.staging;

/** What becomes of a staged upload's plaintext once its ciphertext is committed ({@code sealstream.staging.cleanup}). */
public enum StagingCleanupMode {
    /** Delete it (the default): plaintext does not stay at rest next to its ciphertext. */
    DELETE,
    /** Tag it ({@code sealstream.staging.cleanup-tag}), for a bucket lifecycle rule to expire. */
    TAG,
    /** Leave it (unsafe: the plaintext stays at rest; warned about at start). */
    KEEP
}
