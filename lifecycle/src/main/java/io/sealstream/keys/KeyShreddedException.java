package io.sealstream.keys;

import io.sealstream.kms.KmsException;

/** The data key was crypto-shredded: nobody can decrypt what it protected. Permanent. */
public final class KeyShreddedException extends KmsException {

    public KeyShreddedException(final String message) {
        super(message);
    }
}
