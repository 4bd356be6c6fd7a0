package io.sealstream.keys;

import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EnvelopeEncryptor;
import io.sealstream.kms.DataKey;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.objects.ObjectMetadata;
import io.sealstream.store.NonClosingOutputStream;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Objects written the way the pipeline writes them (location, metadata, context), with a chosen data key. */
final class PipelineStyleObjects {

    private PipelineStyleObjects() {
    }

    static ObjectLocation write(final ObjectStore store, final String storeBucket, final String tenant,
                                final String bucket, final String key, final String content, final DataKey dek)
            throws IOException {
        final ObjectIdentity identity = new ObjectIdentity(tenant, bucket, key);
        final ObjectLocation location = identity.destination(storeBucket);
        final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store.put(location, ObjectMetadata.of(1, dek.wrapped(), "evt-" + key, bytes.length, 65536), out -> {
            try (EncryptingOutputStream sealed = new EnvelopeEncryptor().encryptingStream(new NonClosingOutputStream(out),
                    dek, identity.encryptionContext())) {
                sealed.write(bytes);
            }
        });
        return location;
    }

    /** The identity the pipeline's destination key encodes: {@code <tenant>/<bucket>/<object key>}. */
    static ObjectIdentity identity(final ObjectLocation location) {
        final String[] parts = location.key().split("/", 3);
        return new ObjectIdentity(parts[0], parts[1], parts[2]);
    }
}
