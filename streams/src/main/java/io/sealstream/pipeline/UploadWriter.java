package io.sealstream.pipeline;

import io.sealstream.events.ObjectUploaded;
import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.store.ObjectLocation;
import java.io.IOException;

/**
 * How a validated upload's payload becomes an object at its destination. The pipeline's own writer encrypts (a data
 * key from the KMS stack, {@link EncryptedObjectStore#write}); {@link SealstreamTopology.Components#withUploadWriter}
 * replaces it, which only the end-to-end benchmark does, to measure the same pipeline with a plain copy. No
 * configuration key selects a replacement: only code can.
 */
@FunctionalInterface
public interface UploadWriter {

    /**
     * Writes {@code payload} (which checks size and checksum as it streams, and fails on a mismatch) to
     * {@code destination} and says what was stored.
     */
    EncryptedObjectStore.Written write(ObjectUploaded upload, ObjectIdentity identity, ObjectLocation destination,
                                       long declaredSize, EncryptedObjectStore.PlaintextWriter payload)
            throws IOException;
}
