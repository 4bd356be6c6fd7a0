package io.sealstream.kms.local;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.GcmKeyWrap;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PKCS12Attribute;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
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
public final class LocalKeyStoreKms implements KeyManagementService {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "local";
    /** Environment variable holding the key store passphrase. */
    public static final String PASSPHRASE_ENV = "SEALSTREAM_KEYSTORE_PASSWORD";
    /** Environment variable naming a file that holds the key store passphrase (one trailing newline ignored). */
    public static final String PASSPHRASE_FILE_ENV = "SEALSTREAM_KEYSTORE_PASSWORD_FILE";
    /** Size of a wrapped data key produced by this provider. */
    public static final int WRAPPED_BYTES = GcmKeyWrap.WRAPPED_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyStoreKms.class);

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern VERSION_ALIAS = Pattern.compile("(.+)#v([1-9][0-9]{0,8})");
    private static final String INVALID_KEY_ID =
            "invalid KEK id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";
    /** OID under the UUID arc 2.25 for the "version created at" bag attribute (ISO-8601 instant). */
    private static final String CREATED_ATTRIBUTE_OID = "2.25.271828182845904523536028747135266249";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final SecureRandom RANDOM = new SecureRandom();
    // FileChannel locks are per process, not per thread; two instances on one file in this JVM must also queue.
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_WRITE_LOCKS = new ConcurrentHashMap<>();

    private final Path path;
    private final Path lockPath;
    private final char[] passphrase;
    private final Object reloadMonitor = new Object();
    private volatile Snapshot snapshot;
    private volatile boolean closed;

    private LocalKeyStoreKms(final Path path, final char[] passphrase) {
        this.path = path.toAbsolutePath().normalize();
        this.lockPath = this.path.resolveSibling(this.path.getFileName() + ".lock");
        this.passphrase = passphrase.clone();
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
            if (Files.exists(kms.path)) {
                kms.snapshot = kms.load(Snapshot.EMPTY);
            } else {
                kms.mutate(store -> null); // creates the empty store, unless another process just did
            }
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
        final char[] passphrase = passphraseFromEnvironment(environment);
        try {
            return open(path, passphrase);
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    private static char[] passphraseFromEnvironment(final Map<String, String> environment) {
        final String direct = environment.get(PASSPHRASE_ENV);
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray(); // the String itself can not be zeroed; the environment keeps it anyway
        }
        final String file = environment.get(PASSPHRASE_FILE_ENV);
        if (file == null || file.isBlank()) {
            throw new KmsException("no key store passphrase: set " + PASSPHRASE_ENV + ", or " + PASSPHRASE_FILE_ENV
                    + " to a file holding it");
        }
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (final IOException | RuntimeException e) {
            // The variable's value is not echoed: users who mix up the two variables put the passphrase itself there.
            throw new KmsException("cannot read the key store passphrase file named by " + PASSPHRASE_FILE_ENV
                    + " (" + e.getClass().getSimpleName() + ")", e);
        }
        final CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
        Arrays.fill(bytes, (byte) 0);
        int length = decoded.remaining();
        // Editors and `echo` add one trailing newline; it is never part of the passphrase.
        if (length > 0 && decoded.get(length - 1) == '\n') {
            length--;
            if (length > 0 && decoded.get(length - 1) == '\r') {
                length--;
            }
        }
        final char[] passphrase = new char[length];
        decoded.get(passphrase, 0, length);
        if (decoded.hasArray()) {
            Arrays.fill(decoded.array(), '\0');
        }
        if (length == 0) {
            throw new KmsException("the key store passphrase file named by " + PASSPHRASE_FILE_ENV + " is empty");
        }
        return passphrase;
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
    public DataKey generateDataKey(final String kekId) {
        requireValidKeyId(kekId);
        final Snapshot current = current();
        final int version = current.requireKey(kekId, path).last();
        final KekRef ref = ref(kekId, version);
        final SecretKey kek = kek(current, kekId, version);
        final byte[] dek = new byte[DataKey.KEY_BYTES];
        RANDOM.nextBytes(dek);
        try {
            final String dekId = DekIds.newDekId();
            return new DataKey(dek, new WrappedDataKey(dekId, ref, wrap(kek, ref, dekId, dek)));
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
        if (!KEY_ID.matcher(ref.keyId()).matches() || !VERSION.matcher(ref.version()).matches()) {
            throw notFound(ref);
        }
        final Snapshot current = current();
        final int version = Integer.parseInt(ref.version());
        if (!current.versions(ref.keyId()).contains(version)) {
            throw notFound(ref);
        }
        final SecretKey kek = kek(current, ref.keyId(), version);
        try {
            return new DataKey(GcmKeyWrap.unwrap(GcmKeyWrap.jdkCipher(), kek, wrapped), wrapped);
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            // AEADBadTagException for tampered or relabelled keys; never echo any bytes.
            throw rejected(wrapped, e);
        }
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        // Unwrapping first also proves that an already-current key is genuine before we vouch for it.
        try (DataKey plain = unwrap(wrapped)) {
            final Snapshot current = current();
            final String keyId = wrapped.kek().keyId();
            final int currentVersion = current.requireKey(keyId, path).last();
            if (wrapped.kek().version().equals(Integer.toString(currentVersion))) {
                return wrapped;
            }
            final KekRef ref = ref(keyId, currentVersion);
            final byte[] dek = plain.copyKeyBytes();
            try {
                return new WrappedDataKey(wrapped.dekId(), ref,
                        wrap(kek(current, keyId, currentVersion), ref, wrapped.dekId(), dek));
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
        final Snapshot after = mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            if (versions.last() == number) {
                throw new KmsException("KEK " + ref(kekId, number) + " is the current version; rotate before destroying it");
            }
            if (versions.contains(number)) {
                deleteEntry(store, alias(kekId, number));
                removed[0] = true;
            }
            return null;
        }, true);
        forget(after, alias(kekId, number));
        if (removed[0]) {
            LOG.info("destroyed KEK version {} in {}", ref(kekId, number), path);
        }
    }

    /** Deletes every version of the KEK from the key store file. */
    @Override
    public void destroyKey(final String kekId) {
        requireValidKeyId(kekId);
        final List<String> aliases = new ArrayList<>();
        final Snapshot after = mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            for (final int n : versions) {
                aliases.add(alias(kekId, n));
                deleteEntry(store, alias(kekId, n));
            }
            return null;
        }, true);
        aliases.forEach(alias -> forget(after, alias));
        LOG.info("destroyed KEK {} ({} versions) in {}", kekId, aliases.size(), path);
    }

    private void deleteEntry(final KeyStore store, final String alias) {
        try {
            store.deleteEntry(alias);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot delete " + alias + " from key store " + path, e);
        }
    }

    private static void forget(final Snapshot snapshot, final String alias) {
        snapshot.keks.remove(alias);
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        requireValidKeyId(kekId);
        return describe(current(), kekId);
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        requireValidKeyId(kekId);
        final Snapshot after = mutate(store -> {
            if (versionsIn(store).containsKey(kekId)) {
                throw new KmsException("KEK '" + kekId + "' already exists in key store " + path);
            }
            return addVersion(store, kekId, 1);
        });
        LOG.info("created KEK {} in {}", ref(kekId, 1), path);
        return describe(after, kekId);
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        requireValidKeyId(kekId);
        final int[] added = new int[1];
        final Snapshot after = mutate(store -> {
            final TreeSet<Integer> versions = versionsIn(store).get(kekId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + kekId + "' not found in local key store " + path);
            }
            added[0] = versions.last() + 1;
            return addVersion(store, kekId, added[0]);
        });
        LOG.info("rotated KEK {} in {}", ref(kekId, added[0]), path);
        return describe(after, kekId);
    }

    @Override
    public List<KeyDescription> listKeys() {
        final Snapshot current = current();
        final List<KeyDescription> keys = new ArrayList<>();
        for (final String keyId : current.versionsByKey.keySet()) {
            keys.add(describe(current, keyId));
        }
        return List.copyOf(keys);
    }

    @Override
    public void close() {
        // Under the write lock and the reload monitor: a rotation in flight must never store the file under a
        // passphrase that is being zeroed (the result would be a key store nobody can open).
        final ReentrantLock jvmLock = JVM_WRITE_LOCKS.computeIfAbsent(lockPath, p -> new ReentrantLock());
        jvmLock.lock();
        try {
            synchronized (reloadMonitor) {
                closed = true;
                Arrays.fill(passphrase, '\0');
                if (snapshot != null) {
                    snapshot.keks.clear(); // drop the decrypted KEKs (JCA key objects can not be zeroed)
                }
            }
        } finally {
            jvmLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "LocalKeyStoreKms[" + path + "]";
    }

    // ---------------------------------------------------------------- crypto

    private static byte[] wrap(final SecretKey kek, final KekRef ref, final String dekId, final byte[] dek) {
        try {
            return GcmKeyWrap.wrap(GcmKeyWrap.jdkCipher(), kek, ref, dekId, dek);
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

    // ---------------------------------------------------------------- naming

    private static void requireValidKeyId(final String kekId) {
        if (kekId == null || !KEY_ID.matcher(kekId).matches()) {
            throw new IllegalArgumentException(INVALID_KEY_ID);
        }
    }

    private static KekRef ref(final String keyId, final int version) {
        return new KekRef(PROVIDER, keyId, Integer.toString(version));
    }

    static String alias(final String keyId, final int version) {
        final StringBuilder alias = new StringBuilder(keyId.length() + 8);
        for (int i = 0; i < keyId.length(); i++) {
            final char c = keyId.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                alias.append('^').append(Character.toLowerCase(c));
            } else {
                alias.append(c);
            }
        }
        return alias.append("#v").append(version).toString();
    }

    /** Key id of an escaped alias prefix, or null if it is not one of ours. */
    private static String unescapeKeyId(final String escaped) {
        final StringBuilder keyId = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            final char c = escaped.charAt(i);
            if (c == '^') {
                if (++i == escaped.length() || escaped.charAt(i) < 'a' || escaped.charAt(i) > 'z') {
                    return null; // only our own escapes: '^' before a lower-case letter
                }
                keyId.append(Character.toUpperCase(escaped.charAt(i)));
            } else {
                keyId.append(c);
            }
        }
        final String id = keyId.toString();
        return KEY_ID.matcher(id).matches() ? id : null;
    }

    private static Map<String, TreeSet<Integer>> versionsIn(final KeyStore store) {
        final Map<String, TreeSet<Integer>> versions = new TreeMap<>();
        try {
            for (final String alias : Collections.list(store.aliases())) {
                final Matcher m = VERSION_ALIAS.matcher(alias);
                if (!m.matches() || !store.isKeyEntry(alias)) {
                    continue; // not ours; leave foreign entries alone
                }
                final String keyId = unescapeKeyId(m.group(1));
                if (keyId != null) {
                    versions.computeIfAbsent(keyId, k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
                }
            }
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot list key store entries", e);
        }
        return versions;
    }

    // ---------------------------------------------------------------- state

    /** Which file contents a snapshot was read from: a rename gives a new file key, writes change mtime/size. */
    private record FileStamp(Object fileKey, FileTime modified, long size) {
    }

    private record LoadedKek(SecretKey key, Instant created) {
    }

    /** One immutable view of the file; KEKs are decrypted lazily and memoised. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(null, null, Map.of(), new ConcurrentHashMap<>());

        final KeyStore store;
        final FileStamp stamp;
        final Map<String, TreeSet<Integer>> versionsByKey;
        final ConcurrentHashMap<String, LoadedKek> keks;

        Snapshot(final KeyStore store, final FileStamp stamp, final Map<String, TreeSet<Integer>> versionsByKey,
                 final ConcurrentHashMap<String, LoadedKek> keks) {
            this.store = store;
            this.stamp = stamp;
            this.versionsByKey = versionsByKey;
            this.keks = keks;
        }

        Set<Integer> versions(final String keyId) {
            final Set<Integer> versions = versionsByKey.get(keyId);
            return versions != null ? versions : Set.of();
        }

        TreeSet<Integer> requireKey(final String keyId, final Path path) {
            final TreeSet<Integer> versions = versionsByKey.get(keyId);
            if (versions == null || versions.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + keyId + "' not found in local key store " + path);
            }
            return versions;
        }
    }

    private Snapshot current() {
        if (closed) {
            throw new IllegalStateException("local key store " + path + " is closed");
        }
        Snapshot current = snapshot;
        final FileStamp onDisk = stamp();
        if (!onDisk.equals(current.stamp)) {
            synchronized (reloadMonitor) {
                current = snapshot;
                if (!onDisk.equals(current.stamp)) {
                    current = load(current);
                    snapshot = current;
                }
            }
        }
        return current;
    }

    private FileStamp stamp() {
        try {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        } catch (final NoSuchFileException e) {
            throw new KmsException("key store " + path + " does not exist any more", e);
        } catch (final IOException e) {
            throw new KmsException("cannot read key store " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Reads the file; the stamp is taken first so a concurrent replacement only causes one more reload later. */
    private Snapshot load(final Snapshot previous) {
        final FileStamp stamp = stamp();
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (final IOException e) {
            throw new KmsException("cannot read key store " + path + ": " + e.getClass().getSimpleName(), e);
        }
        return snapshotOf(parse(bytes), stamp, previous);
    }

    private KeyStore parse(final byte[] bytes) {
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), passphrase);
            return store;
        } catch (final IOException | GeneralSecurityException | RuntimeException e) {
            throw new KmsException("cannot open key store " + path + ": wrong passphrase or corrupt file", e);
        }
    }

    private static Snapshot snapshotOf(final KeyStore store, final FileStamp stamp, final Snapshot previous) {
        final Map<String, TreeSet<Integer>> versions = versionsIn(store);
        // Version aliases are written once and never replaced, so already-decrypted KEKs stay valid.
        final ConcurrentHashMap<String, LoadedKek> keks = new ConcurrentHashMap<>();
        versions.forEach((keyId, numbers) -> numbers.forEach(n -> {
            final LoadedKek known = previous.keks.get(alias(keyId, n));
            if (known != null) {
                keks.put(alias(keyId, n), known);
            }
        }));
        return new Snapshot(store, stamp, Collections.unmodifiableMap(versions), keks);
    }

    private SecretKey kek(final Snapshot snapshot, final String keyId, final int version) {
        return loadedKek(snapshot, keyId, version).key();
    }

    private LoadedKek loadedKek(final Snapshot snapshot, final String keyId, final int version) {
        final String alias = alias(keyId, version);
        final LoadedKek known = snapshot.keks.get(alias);
        if (known != null) {
            return known;
        }
        final KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(passphrase);
        try {
            final KeyStore.Entry entry;
            synchronized (snapshot.store) { // KeyStore is not documented as thread-safe
                entry = snapshot.store.getEntry(alias, protection);
            }
            if (!(entry instanceof KeyStore.SecretKeyEntry secret)) {
                throw new KmsException("key store entry for KEK " + ref(keyId, version) + " is not a secret key");
            }
            final SecretKey key = secret.getSecretKey();
            if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new KmsException("KEK " + ref(keyId, version) + " is not an AES key");
            }
            final LoadedKek loaded = new LoadedKek(key, createdOf(entry));
            snapshot.keks.putIfAbsent(alias, loaded);
            return loaded;
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot read KEK " + ref(keyId, version) + " from key store " + path, e);
        } finally {
            destroyQuietly(protection);
        }
    }

    private static Instant createdOf(final KeyStore.Entry entry) {
        for (final KeyStore.Entry.Attribute attribute : entry.getAttributes()) {
            if (CREATED_ATTRIBUTE_OID.equals(attribute.getName())) {
                try {
                    return Instant.parse(attribute.getValue());
                } catch (final DateTimeParseException e) {
                    return Instant.EPOCH;
                }
            }
        }
        return Instant.EPOCH;
    }

    private KeyDescription describe(final Snapshot snapshot, final String keyId) {
        final TreeSet<Integer> versions = snapshot.requireKey(keyId, path);
        final List<String> names = versions.stream().map(String::valueOf).toList();
        final Instant created = loadedKek(snapshot, keyId, versions.first()).created();
        return new KeyDescription(PROVIDER, keyId, Integer.toString(versions.last()), names, created);
    }

    // ---------------------------------------------------------------- writing

    /** Adds KEK version {@code version} of {@code keyId} to {@code store}; returns it for memoisation. */
    private Map.Entry<String, LoadedKek> addVersion(final KeyStore store, final String keyId, final int version) {
        final byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        final SecretKey key = new SecretKeySpec(bytes, "AES");
        Arrays.fill(bytes, (byte) 0);
        final Instant created = Instant.now();
        final KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(passphrase);
        try {
            store.setEntry(alias(keyId, version), new KeyStore.SecretKeyEntry(key,
                    Set.of(new PKCS12Attribute(CREATED_ATTRIBUTE_OID, created.toString()))), protection);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot add KEK " + ref(keyId, version) + " to key store " + path, e);
        } finally {
            destroyQuietly(protection);
        }
        return Map.entry(alias(keyId, version), new LoadedKek(key, created));
    }

    /**
     * Runs {@code change} on a fresh copy of the on-disk store under the JVM and file locks, writes the result
     * atomically and publishes it. {@code change} may return a KEK it added (or null).
     */
    private Snapshot mutate(final Function<KeyStore, Map.Entry<String, LoadedKek>> change) {
        return mutate(change, false);
    }

    @SuppressWarnings("try") // the FileLock is held for the try block's duration, never referenced
    private Snapshot mutate(final Function<KeyStore, Map.Entry<String, LoadedKek>> change, final boolean removes) {
        if (closed) {
            throw new IllegalStateException("local key store " + path + " is closed");
        }
        createParentDirectories();
        final ReentrantLock jvmLock = JVM_WRITE_LOCKS.computeIfAbsent(lockPath, p -> new ReentrantLock());
        jvmLock.lock();
        if (closed) {
            jvmLock.unlock();
            throw new IllegalStateException("local key store " + path + " is closed");
        }
        try (FileChannel lockChannel = FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                ownerOnlyAttributes());
             FileLock ignored = lockChannel.lock()) {
            final boolean exists = Files.exists(path);
            final KeyStore store;
            final Snapshot previous = snapshot != null ? snapshot : Snapshot.EMPTY;
            if (exists) {
                store = parse(Files.readAllBytes(path)); // always the latest: another process may have written
            } else {
                store = KeyStore.getInstance("PKCS12");
                store.load(null, passphrase);
            }
            final Map.Entry<String, LoadedKek> added = change.apply(store);
            if (added != null || !exists || removes) {
                write(store);
            }
            final Snapshot next = snapshotOf(store, stamp(), previous);
            if (added != null) {
                next.keks.put(added.getKey(), added.getValue());
            }
            synchronized (reloadMonitor) {
                snapshot = next;
            }
            return next;
        } catch (final IOException | GeneralSecurityException e) {
            throw new KmsException("cannot update key store " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + oneLine(e.getMessage())), e);
        } finally {
            jvmLock.unlock();
        }
    }

    private void write(final KeyStore store) throws IOException, GeneralSecurityException {
        final Path directory = path.getParent();
        final Path temp = Files.createTempFile(directory, "." + path.getFileName() + ".", ".tmp", ownerOnlyAttributes());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                final OutputStream out = Channels.newOutputStream(channel);
                store.store(out, passphrase);
                out.flush();
                channel.force(true); // the rename must not become durable before the contents
            }
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (final AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + directory + " can not rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(directory);
    }

    /** Missing parent directories are created readable by the owner only, like the store itself. */
    private void createParentDirectories() {
        final Path directory = path.getParent();
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        } catch (final IOException e) {
            throw new KmsException("cannot create directory " + directory + " for key store " + path.getFileName()
                    + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static void fsyncDirectory(final Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (final IOException | RuntimeException e) {
            // Not possible on every platform (e.g. Windows); the rename itself is still atomic.
        }
    }

    private static FileAttribute<?>[] ownerOnlyAttributes() {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
        }
        return new FileAttribute<?>[0];
    }

    private static void destroyQuietly(final KeyStore.PasswordProtection protection) {
        try {
            protection.destroy();
        } catch (final javax.security.auth.DestroyFailedException e) {
            // PasswordProtection always supports destroy; nothing else to do.
        }
    }

    private static String oneLine(final String message) {
        return message.replaceAll("\\s+", " ").trim();
    }
}
