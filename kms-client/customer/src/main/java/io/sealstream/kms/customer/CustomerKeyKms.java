package io.sealstream.kms.customer;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.GcmKeyWrap;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyBinding;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KMS provider {@value #PROVIDER}: customer-provided keys, like S3 SSE-C. A tenant supplies its own AES-256 KEK;
 * the service keeps it only in memory ({@link CustomerKeyring}) and never stores it. What is stored, in every
 * {@link KekRef} and so in every object header and registry entry, is the key's keyed fingerprint as the version
 * label ({@code fp-} + 32 hex characters, see {@link FingerprintKey}).
 *
 * <h2>Wrapping</h2>
 * AES-256-GCM under the customer key with a random 96-bit nonce and the additional authenticated data of
 * {@link KeyBinding#aad} (KEK reference, DEK id, scope), as the local provider: wrapped
 * bytes are {@code nonce(12) || ciphertext(32) || tag(16)}. Unwrapping needs a key for that key id to be registered
 * <em>and</em> its fingerprint to equal the version in the {@link KekRef}; otherwise it is refused with
 * "customer key for '&lt;keyId&gt;' does not match the fingerprint the data key was wrapped under" (no key bytes in
 * any message).
 *
 * <h2>Lifecycle</h2>
 * {@link #createKey} and {@link #rotateKey} are unsupported: the customer brings keys, registering them through
 * {@link #keyring()} (or {@code sealstream.kms.customer.keys.<keyId>.file} at start). A customer rotating registers a
 * new key under the same id; it becomes current ({@link #describeKey} shows its fingerprint), and data keys wrapped
 * under the old one need the old one registered too; {@link #rewrap} moves them when both are.
 * {@link #destroyKeyVersion} and {@link #destroyKey} forget (zero) the in-memory key. That is all the service can do:
 * the customer holds the only copy, and crypto-shredding means the customer destroys it.
 */
public final class CustomerKeyKms implements KeyManagementService {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "customer";
    /** Size of a wrapped data key produced by this provider. */
    public static final int WRAPPED_BYTES = GcmKeyWrap.WRAPPED_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(CustomerKeyKms.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CustomerKeyring keyring;
    private final boolean ownsKeyring;

    private CustomerKeyKms(final CustomerKeyring keyring, final boolean ownsKeyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.ownsKeyring = ownsKeyring;
    }

    /** A provider over {@code keyring}, which the caller keeps owning (and closes). */
    public static CustomerKeyKms using(final CustomerKeyring keyring) {
        return new CustomerKeyKms(keyring, false);
    }

    /**
     * A provider with its own keyring, loaded from {@code config}'s key files (older keys first, so the
     * {@code .file} key of each id is current). Closing the provider zeroes every key.
     */
    public static CustomerKeyKms open(final CustomerKeyConfig config) {
        Objects.requireNonNull(config, "config");
        final CustomerKeyring keyring = new CustomerKeyring(config.fingerprintKey());
        try {
            config.keyFiles().forEach((keyId, files) -> {
                for (final CustomerKeyConfig.KeyFile file : files) {
                    final byte[] key = file.read();
                    try {
                        keyring.register(keyId, key);
                    } finally {
                        Arrays.fill(key, (byte) 0);
                    }
                }
            });
        } catch (final RuntimeException e) {
            keyring.close();
            throw e;
        }
        return new CustomerKeyKms(keyring, true);
    }

    /** Where customers' keys are registered and forgotten at run time. */
    public CustomerKeyring keyring() {
        return keyring;
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        CustomerKeyring.requireValidKeyId(kekId);
        return keyring.withKeys(() -> {
            final CustomerKeyring.Loaded current = current(kekId);
            final KekRef ref = new KekRef(PROVIDER, kekId, current.version());
            final byte[] dek = new byte[DataKey.KEY_BYTES];
            RANDOM.nextBytes(dek);
            try {
                final String dekId = DekIds.newDekId();
                return new DataKey(dek, new WrappedDataKey(dekId, ref, wrap(current, ref, dekId, scope, dek), scope));
            } catch (final RuntimeException e) {
                Arrays.fill(dek, (byte) 0);
                throw e;
            }
        });
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        checkProvider(wrapped);
        return keyring.withKeys(() -> new DataKey(unwrapBytes(wrapped), wrapped));
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        checkProvider(wrapped);
        return keyring.withKeys(() -> {
            final CustomerKeyring.Loaded current = current(wrapped.kek().keyId());
            if (current.version().equals(wrapped.kek().version())) {
                return wrapped;
            }
            final byte[] dek = unwrapBytes(wrapped);
            try {
                final KekRef ref = new KekRef(PROVIDER, current.keyId(), current.version());
                return new WrappedDataKey(wrapped.dekId(), ref, wrap(current, ref, wrapped.dekId(), wrapped.scope(), dek),
                        wrapped.scope());
            } finally {
                Arrays.fill(dek, (byte) 0);
            }
        });
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        CustomerKeyring.requireValidKeyId(kekId);
        return keyring.withKeys(() -> describe(kekId));
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        throw new UnsupportedKmsOperationException(PROVIDER, "creating a KEK: customers bring their own keys"
                + " (register them with the customer keyring or sealstream.kms.customer.keys.<keyId>.file)");
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        throw new UnsupportedKmsOperationException(PROVIDER, "rotating a KEK: the customer rotates by registering"
                + " a new key under the same id, which becomes current");
    }

    @Override
    public List<KeyDescription> listKeys() {
        return keyring.withKeys(() -> {
            final List<KeyDescription> out = new ArrayList<>();
            for (final String keyId : keyring.keyIds()) {
                out.add(describe(keyId));
            }
            return List.copyOf(out);
        });
    }

    /** Forgets (zeroes) the in-memory key with that fingerprint; refuses the current one. See the class comment. */
    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        CustomerKeyring.requireValidKeyId(kekId);
        final List<String> versions = keyring.versions(kekId);
        if (versions.isEmpty()) {
            throw notLoaded(kekId, null);
        }
        if (versions.get(versions.size() - 1).equals(version)) {
            throw new KmsException("refusing to forget customer key " + new KekRef(PROVIDER, kekId, version)
                    + ": it is the current key; register the customer's new key first");
        }
        if (keyring.forget(kekId, version)) {
            LOG.info("forgot customer key {}:{}@{}; the customer holds the only remaining copy", PROVIDER, kekId, version);
        }
    }

    /** Forgets (zeroes) every in-memory key of {@code kekId}. See the class comment. */
    @Override
    public void destroyKey(final String kekId) {
        CustomerKeyring.requireValidKeyId(kekId);
        if (keyring.forgetAll(kekId) == 0) {
            throw notLoaded(kekId, null);
        }
    }

    @Override
    public void close() {
        if (ownsKeyring) {
            keyring.close();
        }
    }

    @Override
    public String toString() {
        return "CustomerKeyKms[" + keyring + "]";
    }

    // ---------------------------------------------------------------- under the keyring's read lock

    private CustomerKeyring.Loaded current(final String keyId) {
        final List<CustomerKeyring.Loaded> loaded = keyring.snapshot(keyId);
        if (loaded.isEmpty()) {
            throw notLoaded(keyId, null);
        }
        return loaded.get(loaded.size() - 1);
    }

    private KeyDescription describe(final String keyId) {
        final List<CustomerKeyring.Loaded> loaded = keyring.snapshot(keyId);
        if (loaded.isEmpty()) {
            throw notLoaded(keyId, null);
        }
        return new KeyDescription(PROVIDER, keyId, loaded.get(loaded.size() - 1).version(),
                loaded.stream().map(CustomerKeyring.Loaded::version).toList(), loaded.get(0).registered());
    }

    private byte[] unwrapBytes(final WrappedDataKey wrapped) {
        final KekRef ref = wrapped.kek();
        if (!ref.keyId().matches("[A-Za-z0-9._-]{1,128}")) {
            throw notLoaded(ref.keyId(), wrapped.dekId());
        }
        final List<CustomerKeyring.Loaded> loaded = keyring.snapshot(ref.keyId());
        if (loaded.isEmpty()) {
            throw notLoaded(ref.keyId(), wrapped.dekId());
        }
        final CustomerKeyring.Loaded key = loaded.stream().filter(l -> l.version().equals(ref.version())).findFirst()
                .orElseThrow(() -> new KeyUnwrapException("customer key for '" + ref.keyId() + "' does not match the"
                        + " fingerprint the data key was wrapped under (data key " + wrapped.dekId() + ", wrapped under "
                        + ref.version() + ")"));
        try {
            return GcmKeyWrap.unwrap(GcmKeyWrap.jdkCipher(), key.key(), wrapped);
        } catch (final AEADBadTagException e) {
            throw rejected(wrapped, e);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot unwrap data key " + wrapped.dekId() + " under " + ref + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static byte[] wrap(final CustomerKeyring.Loaded key, final KekRef ref, final String dekId,
                               final KeyScope scope, final byte[] dek) {
        try {
            return GcmKeyWrap.wrap(GcmKeyWrap.jdkCipher(), key.key(), ref, dekId, scope, dek);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot wrap data key " + dekId + " under " + ref + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static void checkProvider(final WrappedDataKey wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        if (!PROVIDER.equals(wrapped.kek().provider())) {
            throw new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " is for KMS provider '"
                    + wrapped.kek().provider() + "', not '" + PROVIDER + "'");
        }
    }

    private static KeyNotFoundException notLoaded(final String keyId, final String dekId) {
        return new KeyNotFoundException("no customer key loaded for '" + keyId + "'"
                + (dekId == null ? "" : " (data key " + dekId + ")") + ": the customer must supply it");
    }

    private static KeyUnwrapException rejected(final WrappedDataKey wrapped, final Exception cause) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by customer key "
                + wrapped.kek(), cause);
    }
}
