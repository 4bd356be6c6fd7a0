package io.sealstream.audit;

import java.time.Instant;

/**
 * Signs audit checkpoints with a key the KMS holds (the chainer's key): the private key never reaches sealstream's
 * code outside the KMS provider. Implementations are thread-safe.
 */
public interface CheckpointSigner {

    /** The signed checkpoint of {@code topic}'s partition {@code partition} at {@code sequence} with {@code hash}. */
    AuditCheckpoint sign(String topic, int partition, long sequence, byte[] hash, Instant time);
}
