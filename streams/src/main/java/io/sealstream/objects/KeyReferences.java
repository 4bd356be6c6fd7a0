package io.sealstream.objects;

import io.sealstream.events.KeyReference;
import io.sealstream.kms.KekRef;

/** The one mapping between a KEK reference of the KMS layer and its form in the Avro events. */
public final class KeyReferences {

    private KeyReferences() {
    }

    public static KeyReference of(final KekRef kek) {
        return new KeyReference(kek.provider(), kek.keyId(), kek.version());
    }

    public static KekRef of(final KeyReference ref) {
        return new KekRef(ref.getProvider(), ref.getKeyId(), ref.getVersion());
    }
}
