package io.sealstream.pipeline.internals;

import io.sealstream.audit.AuditCheckpoint;
import io.sealstream.audit.CheckpointSigner;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.SigningKeys;
import java.time.Instant;
import java.util.Objects;

/** Signs checkpoints with the current version of one KMS signing key; the checkpoint names that version. */
public final class KmsCheckpointSigner implements CheckpointSigner {

    private final SigningKeys keys;
    private final String keyId;

    public KmsCheckpointSigner(final SigningKeys keys, final String keyId) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
    }

    /** The version checkpoints are signed with now; fails (key not found) when the key does not exist. */
    public KekRef currentKey() {
        return keys.currentSigningKey(keyId);
    }

    @Override
    public AuditCheckpoint sign(final String topic, final int partition, final long sequence, final byte[] hash,
                                final Instant time) {
        final KekRef key = currentKey();
        final String keyRef = key.toString();
        final byte[] message = AuditCheckpoint.signedBytes(topic, partition, sequence, hash, time, keyRef,
                AuditCheckpoint.ED25519);
        return new AuditCheckpoint(topic, partition, sequence, hash, time, keyRef, AuditCheckpoint.ED25519,
                keys.sign(key, message));
    }
}
