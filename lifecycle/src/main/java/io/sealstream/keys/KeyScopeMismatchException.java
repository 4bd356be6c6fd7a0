package io.sealstream.keys;

import io.sealstream.kms.KeyUnwrapException;

/**
 * A read asked for a data key that belongs to another tenant bucket, or sits under another KEK than the key policy
 * gives the object: the object was not written for the identity it is read as (a forgery, or an object copied across
 * tenants). Reason code {@code KEY_SCOPE_MISMATCH}; the CLI exits 3, as for any rejected key.
 */
public final class KeyScopeMismatchException extends KeyUnwrapException {

    public KeyScopeMismatchException(final String message) {
        super(message);
    }
}
