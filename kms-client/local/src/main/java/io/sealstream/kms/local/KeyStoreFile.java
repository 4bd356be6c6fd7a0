package io.sealstream.kms.local;

import static io.sealstream.kms.local.KekAliases.alias;
import static io.sealstream.kms.local.KekAliases.ref;

import io.sealstream.kms.KmsException;
import io.sealstream.kms.local.KeyStoreSnapshot.FileStamp;
import io.sealstream.kms.local.KeyStoreSnapshot.LoadedKek;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PKCS12Attribute;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The PKCS#12 file holding the local KEKs and its passphrase: reloads on outside changes, reads and adds KEK entries,
 * and rewrites the file atomically under the JVM and file locks.
 */
final class KeyStoreFile {

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
    private volatile KeyStoreSnapshot snapshot;
    private volatile boolean closed;

    /** {@code path} must be absolute and normalised; the passphrase is copied. */
    KeyStoreFile(final Path path, final char[] passphrase) {
        this.path = path;
        this.lockPath = path.resolveSibling(path.getFileName() + ".lock");
        this.passphrase = passphrase.clone();
    }

    /** Reads the file, or creates the empty store if it does not exist (unless another process just did). */
    void openOrCreate() {
        if (Files.exists(path)) {
            snapshot = load(KeyStoreSnapshot.EMPTY);
        } else {
            mutate(store -> null, false);
        }
    }

    /** The latest snapshot, reloaded first when the file changed on disk. */
    KeyStoreSnapshot current() {
        if (closed) {
            throw new IllegalStateException("local key store " + path + " is closed");
        }
        KeyStoreSnapshot current = snapshot;
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
    private KeyStoreSnapshot load(final KeyStoreSnapshot previous) {
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

    private static KeyStoreSnapshot snapshotOf(final KeyStore store, final FileStamp stamp,
                                               final KeyStoreSnapshot previous) {
        final Map<String, TreeSet<Integer>> versions = KekAliases.versionsIn(store);
        // Version aliases are written once and never replaced, so already-decrypted KEKs stay valid.
        final ConcurrentHashMap<String, LoadedKek> keks = new ConcurrentHashMap<>();
        versions.forEach((keyId, numbers) -> numbers.forEach(n -> {
            final LoadedKek known = previous.keks.get(alias(keyId, n));
            if (known != null) {
                keks.put(alias(keyId, n), known);
            }
        }));
        return new KeyStoreSnapshot(store, stamp, Collections.unmodifiableMap(versions), keks);
    }

    // ---------------------------------------------------------------- KEK entries

    SecretKey kek(final KeyStoreSnapshot snapshot, final String keyId, final int version) {
        return loadedKek(snapshot, keyId, version).key();
    }

    LoadedKek loadedKek(final KeyStoreSnapshot snapshot, final String keyId, final int version) {
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

    /** Adds KEK version {@code version} of {@code keyId} to {@code store}; returns it for memoisation. */
    Map.Entry<String, LoadedKek> addVersion(final KeyStore store, final String keyId, final int version) {
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

    void deleteEntry(final KeyStore store, final String alias) {
        try {
            store.deleteEntry(alias);
        } catch (final GeneralSecurityException e) {
            throw new KmsException("cannot delete " + alias + " from key store " + path, e);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Runs {@code change} on a fresh copy of the on-disk store under the JVM and file locks, writes the result
     * atomically and publishes it. {@code change} may return a KEK it added (or null).
     */
    @SuppressWarnings("try") // the FileLock is held for the try block's duration, never referenced
    KeyStoreSnapshot mutate(final Function<KeyStore, Map.Entry<String, LoadedKek>> change, final boolean removes) {
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
            final KeyStoreSnapshot previous = snapshot != null ? snapshot : KeyStoreSnapshot.EMPTY;
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
            final KeyStoreSnapshot next = snapshotOf(store, stamp(), previous);
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

    /** Zeroes the passphrase and drops the decrypted KEKs; later operations fail. */
    void close() {
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
