package io.sealstream.envelope;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.WrappedDataKey;

/**
 * Turns the wrapped data key found in a header into the plaintext data key, usually {@code kms::unwrap} (through the
 * data-key cache) or, from the key-lifecycle issue on, through the DEK registry. The decryptor closes the key.
 */
@FunctionalInterface
public interface DataKeyResolver {

    /** @throws io.sealstream.kms.KmsException when the key can not be obtained */
    DataKey resolve(WrappedDataKey wrapped);
}
