package io.sealstream.kms.metrics;

/** The operations of {@link io.sealstream.kms.KeyManagementService} that {@link MeteredKeyManagementService} measures. */
public enum KmsOperation {
    GENERATE_DATA_KEY,
    UNWRAP,
    REWRAP,
    DESCRIBE_KEY,
    CREATE_KEY,
    ROTATE_KEY,
    DESTROY_KEY_VERSION,
    DESTROY_KEY,
    LIST_KEYS
}
