package io.sealstream.kms.local;

import static io.sealstream.kms.local.KekAliases.KEY_ID;
import static io.sealstream.kms.local.KekAliases.VERSION;
import static io.sealstream.kms.local.KekAliases.alias;
import static io.sealstream.kms.local.KekAliases.ref;
import static io.sealstream.kms.local.KekAliases.requireValidKeyId;
import static io.sealstream.kms.local.KekAliases.versionsIn;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.GcmKeyWrap;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.SigningKeys;
import io.sealstream.kms.WrappedDataKey;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default KMS (provider {@value #PROVIDER}): AES-256 KEKs in a password-protected PKCS#12 file.
 *
 * <p>Meant for development, single-host deployments and tests: it gives the full KMS contract (versioned KEKs,
 * rotation, rewrap) without a server. The key store passphrase protects every KEK, so it must be handled like one.
 *
 * <h2>File layout</h2>
 * Each KEK version is a PKCS#12 secret-key entry with alias {@code <keyId>#v<N>} (N = 1, 2, ...). The JDK
 * lower-cases PKCS#12 aliases, so upper-case letters of the key id are written as {@code ^} followed by the
 * lower-case letter ({@code MyKey} → {@code ^my^key#v1}); {@code ^} and {@code #} can not occur in key ids, so
 * the mapping is reversible. Each version carries its creation time as a private PKCS#12 bag attribute;
 * {@link KeyDescription#created()} is the creation time of version 1 ({@link Instant#EPOCH} if a store written
 * by another tool lacks it).
 *
 * <h2>Wrapping</h2>
 * AES-256-GCM under the current KEK version with a fresh random 96-bit nonce; the additional authenticated data
 * binds {@code ("sealstream-dek-wrap-v1", KekRef, dekId)}, so a wrapped key relabelled with another key, version
 * or DEK id is rejected. Wrapped bytes: {@code nonce(12) || ciphertext(32) || tag(16)} = {@value #WRAPPED_BYTES}.
 *
 * <h2>Concurrency and persistence</h2>
 * Every change re-reads the file, applies the change, writes the whole store to a temporary file in the same
 * directory (mode 600 where POSIX) and atomically renames it over the old one, so readers never see a partial
 * store. Writers are serialised inside the JVM by a per-path lock and across processes by a {@link FileLock} on
 * the sibling {@code <file>.lock} (which is left in place). Every operation checks the file's identity, mtime
 * and size and reloads when another instance or process changed it, so two CLI invocations see each other's
 * rotations. Decrypted KEKs are memoised per alias because opening a PKCS#12 entry costs a PBKDF2 derivation.
 *
 * <p>The passphrase is copied and kept (zeroed on {@link #close()}) because reloads and writes need it.
 * JCA {@link SecretKey} objects of the KEKs can not be zeroed reliably; they are dropped on close.
 */
public final class LocalKeyStoreKms implements KeyManagementService, SigningKeys {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "local";
    /** Environment variable holding the key store passphrase. */
    public static final String PASSPHRASE_ENV = "SEALSTREAM_KEYSTORE_PASSWORD";
    /** Environment variable naming a file that holds the key store passphrase (one trailing newline ignored). */
    public static final String PASSPHRASE_FILE_ENV = "SEALSTREAM_KEYSTORE_PASSWORD_FILE";
    /** Size of a wrapped data key produced by this provider. */
    public static final int WRAPPED_BYTES = GcmKeyWrap.WRAPPED_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyStoreKms.class);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final KeyStoreFile file;

    private LocalKeyStoreKms(final Path path, final char[] passphrase) {
        this.path = path.toAbsolutePath().normalize();
        this.file = new KeyStoreFile(this.path, passphrase);
    }

    /**
     * Opens the key store at {@code path}, creating an empty one if the file does not exist. The passphrase is
     * copied; the caller may zero its array afterwards.
     */
    public static LocalKeyStoreKms open(final Path path, final char[] passphrase) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.length == 0) {
            throw new KmsException("key store passphrase must not be empty");
        }
        final LocalKeyStoreKms kms = new LocalKeyStoreKms(path, passphrase);
        try {
            kms.file.openOrCreate();
            return kms;
        } catch (final RuntimeException e) {
            kms.close();
            throw e;
        }
    }

    /** {@link #open} with the passphrase from {@value #PASSPHRASE_ENV} or the file named by {@value #PASSPHRASE_FILE_ENV}. */
    public static LocalKeyStoreKms openFromEnvironment(final Path path) {
        return openFromEnvironment(path, System.getenv());
    }

    /** As {@link #openFromEnvironment(Path)} with an explicit environment (for tests and embedding). */
    public static LocalKeyStoreKms openFromEnvironment(final Path path, final Map<String, String> environment) {
        final char[] passphrase = KeyStorePassphrase.fromEnvironment(environment);
        try {
            return open(path, passphrase);
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }


    /** The key store file. */
    public Path path() {
        return path;
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        requireValidKeyId(kekId);
        final KeyStoreSnapshot current = file.current();
        final int version = current.requireKey(kekId, path).last();
        final KekRef ref = ref(kekId, version);
        final SecretKey kek = file.kek(current, kekId, version);
        final byte[] dek = new byte[DataKey.KEY_BYTES];
        RANDOM.nextBytes(dek);
        try {
            final String dekId = DekIds.newDekId();
            return new DataKey(dek, new WrappedDataKey(dekId, ref, wrap(kek, ref, dekId, scope, dek), scope));
        } catch (final RuntimeException e) {
            Arrays.fill(dek, (byte) 0);
            throw e;
        }
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        final KekRef ref = wrapped.kek();
        if (!PROVIDER.equals(ref.provider())) {
            throw new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " is for KMS provider '"
                    + ref.provider() + "', not '" + PROVIDER + "'");
        }
        final SecretKey kek = entry(ref);
        try {
            return new DataKey(GcmKeyWrap.unwrap(GcmKeyWrap.jdkCipher(), kek, wrapped), wrapped);
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            // AEADBadTagException for tampered or relabelled keys; never echo any bytes.
            throw rejected(wrapped, e);
        }
    }

    // ---------------------------------------------------------------- signing keys (audit checkpoints)

    /** A key-store entry like a KEK's: the signing key is derived from it ({@link DerivedSigningKey}). */
    @Override
    public KekRef createSigningKey(final String keyId) {
        createKey(keyId);
        return currentSigningKey(keyId);
    }

    @Override
    public KekRef currentSigningKey(final String keyId) {
        requireValidKeyId(keyId);
        return ref(keyId, file.current().requireKey(keyId, path).last());
    }

    @Override
    public byte[] sign(final KekRef key, final byte[] message) {
        try {
            final java.security.Signature signer = java.security.Signature.getInstance(ALGORITHM);
            signer.initSign(DerivedSigningKey.derive(entry(key)).getPrivate());
            signer.update(message);
            return signer.sign();
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot sign with " + key + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public java.security.PublicKey publicKey(final KekRef key) {
        try {
            return DerivedSigningKey.derive(entry(key)).getPublic();
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot derive the public key of " + key + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** The key-store entry of one version, or {@link KeyNotFoundException}. */
    private SecretKey entry(final KekRef ref) {
        if (!PROVIDER.equals(ref.provider()) || !KEY_ID.matcher(ref.keyId()).matches()
                || !VERSION.matcher(ref.version()).matches()) {
            throw notFound(ref);
        }
        final KeyStoreSnapshot current = file.current();
        final int version = Integer.parseInt(ref.version());
        if (!current.versions(ref.keyId()).contains(version)) {
            throw notFound(ref);
        }
        return file.kek(current, ref.keyId(), version);
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        // Unwrapping first also proves that an already-current key is genuine before we vouch for it.
        try (DataKey plain = unwrap(wrapped)) {
            final KeyStoreSnapshot current = file.current();
            final String keyId = wrapped.kek().keyId();
            final int currentVersion = current.requireKey(keyId, path).last();
            if (wrapped.kek().version().equals(Integer.toString(currentVersion))) {
                return wrapped;
            }
            final KekRef ref = ref(keyId, currentVersion);
            final byte[] dek = plain.copyKeyBytes();
            try {
                return new WrappedDataKey(wrapped.dekId(), ref,
                        wrap(file.kek(current, keyId, currentVersion), ref, wrapped.dekId(), wrapped.scope(), dek),
                        wrapped.scope());
            } finally {
                Arrays.fill(dek, (byte) 0);
            }
        }
    }

    /**
     * Deletes the version's entry from the key store file (the file is rewritten, so the entry's bytes are gone from
     * it; copies in backups of the file are not). Refuses the current version.
     */
    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        requireValidKeyId(kekId);
        if (!VERSION.matcher(version).matches()) {
            throw new KeyNotFoundException("KEK version '" + version + "' of '" + kekId + "' is not a local version number");
        }
        final int number = Integer.parseInt(version);
        final boolean[] removed = new boolean[1];
        final KeyStoreSnapshot after = file.mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            if (versions.last() == number) {
                throw new KmsException("KEK " + ref(kekId, number) + " is the current version; rotate before destroying it");
            }
            if (versions.contains(number)) {
                file.deleteEntry(store, alias(kekId, number));
                removed[0] = true;
            }
            return null;
        }, true);
        after.forget(alias(kekId, number));
        if (removed[0]) {
            LOG.info("destroyed KEK version {} in {}", ref(kekId, number), path);
        }
    }

    /** Deletes every version of the KEK from the key store file. */
    @Override
    public void destroyKey(final String kekId) {
        requireValidKeyId(kekId);
        final List<String> aliases = new ArrayList<>();
        final KeyStoreSnapshot after = file.mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            for (final int n : versions) {
                aliases.add(alias(kekId, n));
                file.deleteEntry(store, alias(kekId, n));
            }
            return null;
        }, true);
        aliases.forEach(after::forget);
        LOG.info("destroyed KEK {} ({} versions) in {}", kekId, aliases.size(), path);
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        requireValidKeyId(kekId);
        return describe(file.current(), kekId);
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        requireValidKeyId(kekId);
        final KeyStoreSnapshot after = file.mutate(store -> {
            if (versionsIn(store).containsKey(kekId)) {
                throw new KmsException("KEK '" + kekId + "' already exists in key store " + path);
            }
            return file.addVersion(store, kekId, 1);
        }, false);
        LOG.info("created KEK {} in {}", ref(kekId, 1), path);
        return describe(after, kekId);
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        requireValidKeyId(kekId);
        final int[] added = new int[1];
        final KeyStoreSnapshot after = file.mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            added[0] = versions.last() + 1;
            return file.addVersion(store, kekId, added[0]);
        }, false);
        LOG.info("rotated KEK {} in {}", ref(kekId, added[0]), path);
        return describe(after, kekId);
    }

    @Override
    public List<KeyDescription> listKeys() {
        final KeyStoreSnapshot current = file.current();
        final List<KeyDescription> keys = new ArrayList<>();
        for (final String keyId : current.versionsByKey.keySet()) {
            keys.add(describe(current, keyId));
        }
        return List.copyOf(keys);
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "LocalKeyStoreKms[" + path + "]";
    }

    // ---------------------------------------------------------------- crypto

    private static byte[] wrap(final SecretKey kek, final KekRef ref, final String dekId, final KeyScope scope,
                               final byte[] dek) {
        try {
            return GcmKeyWrap.wrap(GcmKeyWrap.jdkCipher(), kek, ref, dekId, scope, dek);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot wrap data key " + dekId + " under KEK " + ref, e);
        }
    }

    private static KeyUnwrapException rejected(final WrappedDataKey wrapped, final Exception cause) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by KEK " + wrapped.kek(), cause);
    }

    private KeyNotFoundException notFound(final KekRef ref) {
        return new KeyNotFoundException("KEK version " + ref + " not found in local key store " + path);
    }

    private KeyDescription describe(final KeyStoreSnapshot snapshot, final String keyId) {
        final TreeSet<Integer> versions = snapshot.requireKey(keyId, path);
        final List<String> names = versions.stream().map(String::valueOf).toList();
        final Instant created = file.loadedKek(snapshot, keyId, versions.first()).created();
        return new KeyDescription(PROVIDER, keyId, Integer.toString(versions.last()), names, created);
    }
}
