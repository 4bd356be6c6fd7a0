package io.sealstream.bench.e2e;

import io.sealstream.events.ObjectUploaded;
import io.sealstream.kms.KekRef;
import io.sealstream.objects.EncryptedObjectStore;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.pipeline.UploadWriter;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.StoredObject;
import java.io.IOException;
import java.util.Map;

/**
 * The end-to-end benchmark's baseline: everything the pipeline does to an upload (validation, staging reads with size
 * and checksum checks, the destination write, the events, exactly-once) except the data key and the envelope; the
 * payload is copied to the destination UNENCRYPTED. It lives here, not in the product, and only {@link BenchApp}
 * installs it ({@code --variant plain}).
 */
final class PlaintextCopyWriter implements UploadWriter {

    /** What the ObjectEncrypted events of the baseline name as their key: nothing. */
    static final String NO_KEY = "plaintext-copy";

    private final ObjectStore store;

    PlaintextCopyWriter(final ObjectStore store) {
        this.store = store;
    }

    @Override
    public EncryptedObjectStore.Written write(final ObjectUploaded upload, final ObjectIdentity identity,
                                              final ObjectLocation destination, final long declaredSize,
                                              final EncryptedObjectStore.PlaintextWriter payload) throws IOException {
        final StoredObject stored = store.put(destination, Map.of(ObjectMetadata.EVENT_ID, upload.getEventId(),
                ObjectMetadata.PLAINTEXT_SIZE, Long.toString(declaredSize)), payload::writeTo);
        return new EncryptedObjectStore.Written(declaredSize, stored.size(), new byte[32], NO_KEY,
                new KekRef("none", "none", "0"), 0, 0);
    }
}
