package io.sealstream.kms.pkcs11;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.GcmKeyWrap;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.ProviderSettings;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Instant;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEKs inside a PKCS#11 token (an HSM, or SoftHSM2 for tests) through the JDK's SunPKCS11 provider (provider name
 * {@value #PROVIDER}).
 *
 * <h2>Keys</h2>
 * Each KEK version is an AES-256 secret key object on the token, generated inside it as sensitive and non-extractable
 * ({@code CKA_SENSITIVE=true}, {@code CKA_EXTRACTABLE=false}), labelled {@code <keyId>#v<N>} (N = 1, 2, ...; PKCS#11
 * labels are case-sensitive, so no escaping is needed). Its value never leaves the token: {@link #createKey} checks
 * that the token really refused to reveal it and deletes the key otherwise (a SunPKCS11 configuration without the
 * {@code attributes(generate, ...)} block). Listing is by label; objects whose labels are not ours are left alone.
 * PKCS#11 keeps no creation time that SunPKCS11 exposes, so {@link KeyDescription#created()} is {@link Instant#EPOCH}.
 *
 * <h2>Wrapping</h2>
 * The DEK (32 bytes from the JDK's {@link SecureRandom}) is encrypted inside the token with {@code AES/GCM/NoPadding}
 * (SunPKCS11 on Java 17 has neither AES key wrap nor GCM in WRAP_MODE), a fresh random 96-bit nonce and the
 * additional authenticated data {@code ("sealstream-dek-wrap-v1", KekRef, dekId)}: a wrapped key relabelled with
 * another key, version or DEK id, or with any byte changed, fails the token's tag check. Wrapped bytes:
 * {@code nonce(12) || ciphertext(32) || tag(16)} = {@value #WRAPPED_BYTES}, the same layout as the local provider.
 * Random nonces allow 2<sup>32</sup> wraps per KEK version; rotate long before that.
 *
 * <h2>Sessions, other processes, errors</h2>
 * The PIN logs in once per process (PKCS#11 login state belongs to the application, not to a session; it is kept,
 * zeroed on {@link #close()}, to log in again after the token lost the login). Labels are re-read on every
 * management call and, for {@link #generateDataKey}, when older than {@link Pkcs11KmsConfig#refreshInterval()} or
 * when a key is not known yet, so rotations made by other processes are picked up. Creating and rotating are
 * serialised inside this JVM only: two processes rotating one key at the same instant can leave two objects with
 * one label, which SunPKCS11 then refuses to load; run key management from one place.
 * A missing library, slot or token, or a wrong PIN, fail {@link #open} with a one-line {@link KmsException}; device
 * and session errors ({@code CKR_DEVICE_*}, {@code CKR_SESSION_*}, a removed token) are
 * {@link KmsUnavailableException}s; a failed tag check is a {@link KeyUnwrapException} naming the DEK id. No message
 * or log line contains the PIN or key material.
 */
public final class Pkcs11Kms implements KeyManagementService {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "pkcs11";
    /** Environment variable holding the token's user PIN. */
    public static final String PIN_ENV = "SEALSTREAM_PKCS11_PIN";
    /** Environment variable naming a file that holds the user PIN (one trailing newline ignored). */
    public static final String PIN_FILE_ENV = "SEALSTREAM_PKCS11_PIN_FILE";
    /** Size of a wrapped data key produced by this provider. */
    public static final int WRAPPED_BYTES = GcmKeyWrap.WRAPPED_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Kms.class);

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern LABEL = Pattern.compile("([A-Za-z0-9._-]{1,128})#v([1-9][0-9]{0,8})");
    private static final Pattern CKR = Pattern.compile("CKR_[A-Z0-9_]+");
    private static final String INVALID_KEY_ID = "invalid KEK id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";
    /** Return values after which the same call can succeed once the device or session is back. */
    private static final Set<String> TRANSIENT = Set.of("CKR_DEVICE_ERROR", "CKR_DEVICE_MEMORY", "CKR_DEVICE_REMOVED",
            "CKR_TOKEN_NOT_PRESENT", "CKR_SESSION_CLOSED", "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_COUNT",
            "CKR_HOST_MEMORY", "CKR_FUNCTION_FAILED", "CKR_USER_NOT_LOGGED_IN", "CKR_OPERATION_ACTIVE",
            "CKR_CRYPTOKI_NOT_INITIALIZED", "CKR_CANT_LOCK", "CKR_FUNCTION_CANCELED");
    /** Return values after which logging in again and re-reading the labels may let the same call succeed. */
    private static final Set<String> RECOVERABLE = Set.of("CKR_USER_NOT_LOGGED_IN", "CKR_KEY_HANDLE_INVALID",
            "CKR_OBJECT_HANDLE_INVALID", "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Provider provider;
    private final KeyStore keyStore;
    private final String token;
    private final char[] pin;
    private final long refreshNanos;
    /** Serialises creating, rotating and destroying inside this JVM. */
    private final Object adminLock = new Object();
    private volatile Index index;
    private volatile boolean closed;

    private Pkcs11Kms(final Provider provider, final KeyStore keyStore, final String token, final char[] pin,
                      final long refreshNanos) {
        this.provider = provider;
        this.keyStore = keyStore;
        this.token = token;
        this.pin = pin;
        this.refreshNanos = refreshNanos;
    }

    /** Configures SunPKCS11 for the token, logs in with the PIN and reads the KEK labels. */
    public static Pkcs11Kms open(final Pkcs11KmsConfig config) {
        Objects.requireNonNull(config, "config");
        final String token = config.describeToken();
        final Provider provider = configure(config, token);
        final char[] pin = config.pin().copy();
        try {
            final KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            final Pkcs11Kms kms = new Pkcs11Kms(provider, keyStore, token, pin, config.refreshInterval().toNanos());
            kms.login();
            kms.index = kms.readIndex();
            LOG.info("opened {} ({} KEKs)", token, kms.index.versions.size());
            return kms;
        } catch (final GeneralSecurityException e) {
            Arrays.fill(pin, '\0');
            throw new KmsException("cannot use " + token + ": " + ProviderSettings.oneLine(e.toString()), e);
        } catch (final RuntimeException e) {
            Arrays.fill(pin, '\0');
            throw e;
        }
    }

    private static Provider configure(final Pkcs11KmsConfig config, final String token) {
        final Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new KmsException("this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        final String argument;
        if (config.sunPkcs11Config() != null) {
            if (!Files.isReadable(config.sunPkcs11Config())) {
                throw new KmsException("SunPKCS11 config file " + config.sunPkcs11Config() + " not found or not readable");
            }
            argument = config.sunPkcs11Config().toString();
        } else {
            if (!Files.isRegularFile(config.library())) {
                throw new KmsException("PKCS#11 library " + config.library() + " not found");
            }
            argument = "--" + config.generatedSunPkcs11Config(); // SunPKCS11 takes inline configuration after "--"
        }
        try {
            return base.configure(argument);
        } catch (final RuntimeException e) {
            // InvalidParameterException/ProviderException: unloadable library, no such slot, no token present, ...
            throw new KmsException("cannot load " + token + ": " + rootMessage(e), e);
        }
    }

    private void login() {
        try {
            synchronized (keyStore) {
                keyStore.load(null, pin); // logs in unless this process already is; then reads the labels
            }
        } catch (final IOException | GeneralSecurityException | ProviderException e) {
            final String code = ckr(e);
            if ("CKR_PIN_INCORRECT".equals(code) || "CKR_PIN_LEN_RANGE".equals(code)) {
                throw new KmsException("PKCS#11 login to " + token + " failed: wrong PIN (" + code + ")", e);
            }
            if ("CKR_PIN_LOCKED".equals(code) || "CKR_PIN_EXPIRED".equals(code)) {
                throw new KmsException("PKCS#11 login to " + token + " failed: the user PIN is locked or expired (" + code + ")", e);
            }
            throw classify("login", e);
        }
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    // ---------------------------------------------------------------- data keys

    @Override
    public DataKey generateDataKey(final String kekId) {
        requireValidKeyId(kekId);
        return withRecovery("generating a data key under " + kekId, () -> {
            Index current = fresh(false);
            if (!current.versions.containsKey(kekId)) {
                current = fresh(true); // created by another process since the last read?
            }
            final int version = current.require(kekId, token).last();
            final KekRef ref = ref(kekId, version);
            final Key kek = kek(current, kekId, version);
            final byte[] dek = new byte[DataKey.KEY_BYTES];
            RANDOM.nextBytes(dek);
            try {
                final String dekId = DekIds.newDekId();
                return new DataKey(dek, new WrappedDataKey(dekId, ref, wrap(kek, ref, dekId, dek)));
            } catch (final RuntimeException e) {
                Arrays.fill(dek, (byte) 0);
                throw e;
            }
        });
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
        final int version = Integer.parseInt(ref.version());
        return withRecovery("unwrapping data key " + wrapped.dekId(), () -> {
            Index current = fresh(false);
            if (!current.versions(ref.keyId()).contains(version)) {
                current = fresh(true);
                if (!current.versions(ref.keyId()).contains(version)) {
                    throw notFound(ref);
                }
            }
            final Key kek = kek(current, ref.keyId(), version);
            try {
                return new DataKey(GcmKeyWrap.unwrap(Cipher.getInstance("AES/GCM/NoPadding", provider), kek, wrapped),
                        wrapped);
            } catch (final AEADBadTagException e) {
                // SunPKCS11 reports any failure of the token's C_Decrypt as a bad tag (SoftHSM's failed tag check is
                // CKR_GENERAL_ERROR); device and session trouble stays transient.
                final String code = ckr(e);
                if (code != null && TRANSIENT.contains(code) && !"CKR_FUNCTION_FAILED".equals(code)) {
                    throw classify("unwrapping data key " + wrapped.dekId() + " with KEK " + ref, e);
                }
                throw rejected(wrapped, e);
            } catch (final GeneralSecurityException | ProviderException e) {
                throw classify("unwrapping data key " + wrapped.dekId() + " with KEK " + ref, e);
            }
        });
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        // Unwrapping first also proves that an already-current key is genuine before we vouch for it.
        try (DataKey plain = unwrap(wrapped)) {
            final String keyId = wrapped.kek().keyId();
            return withRecovery("re-wrapping data key " + wrapped.dekId(), () -> {
                final Index current = fresh(false);
                final int currentVersion = current.require(keyId, token).last();
                if (wrapped.kek().version().equals(Integer.toString(currentVersion))) {
                    return wrapped;
                }
                final KekRef ref = ref(keyId, currentVersion);
                final byte[] dek = plain.copyKeyBytes();
                try {
                    return new WrappedDataKey(wrapped.dekId(), ref, wrap(kek(current, keyId, currentVersion), ref,
                            wrapped.dekId(), dek));
                } finally {
                    Arrays.fill(dek, (byte) 0);
                }
            });
        }
    }

    /** Wraps inside the token: the KEK never leaves it. */
    private byte[] wrap(final Key kek, final KekRef ref, final String dekId, final byte[] dek) {
        try {
            return GcmKeyWrap.wrap(Cipher.getInstance("AES/GCM/NoPadding", provider), kek, ref, dekId, dek);
        } catch (final GeneralSecurityException | ProviderException e) {
            throw classify("wrapping data key " + dekId + " under KEK " + ref, e);
        }
    }

    // ---------------------------------------------------------------- key management

    @Override
    public KeyDescription describeKey(final String kekId) {
        requireValidKeyId(kekId);
        return withRecovery("describing KEK " + kekId, () -> describe(fresh(true), kekId));
    }

    @Override
    public List<KeyDescription> listKeys() {
        return withRecovery("listing KEKs", () -> {
            final Index current = fresh(true);
            final List<KeyDescription> keys = new ArrayList<>();
            for (final String keyId : current.versions.keySet()) {
                keys.add(describe(current, keyId));
            }
            return List.copyOf(keys);
        });
    }

    @Override
    public KeyDescription createKey(final String kekId) {
        requireValidKeyId(kekId);
        synchronized (adminLock) {
            return withRecovery("creating KEK " + kekId, () -> {
                if (fresh(true).versions.containsKey(kekId)) {
                    throw new KmsException("KEK '" + kekId + "' already exists in " + token);
                }
                addVersion(kekId, 1);
                LOG.info("created KEK {} in {}", ref(kekId, 1), token);
                return describe(fresh(true), kekId);
            });
        }
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        requireValidKeyId(kekId);
        synchronized (adminLock) {
            return withRecovery("rotating KEK " + kekId, () -> {
                final int next = fresh(true).require(kekId, token).last() + 1;
                addVersion(kekId, next);
                LOG.info("rotated KEK {} in {}", ref(kekId, next), token);
                return describe(fresh(true), kekId);
            });
        }
    }

    /** Deletes the version's object from the token (C_DestroyObject). Refuses the current version. */
    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        requireValidKeyId(kekId);
        if (!VERSION.matcher(version).matches()) {
            throw new KeyNotFoundException("KEK version '" + version + "' of '" + kekId + "' is not a pkcs11 version number");
        }
        final int number = Integer.parseInt(version);
        synchronized (adminLock) {
            withRecovery("destroying KEK version " + ref(kekId, number), () -> {
                final TreeSet<Integer> versions = fresh(true).require(kekId, token);
                if (versions.last() == number) {
                    throw new KmsException("KEK " + ref(kekId, number) + " is the current version; rotate before destroying it");
                }
                if (versions.contains(number)) {
                    deleteEntry(label(kekId, number));
                    fresh(true);
                    LOG.info("destroyed KEK version {} in {}", ref(kekId, number), token);
                }
                return null;
            });
        }
    }

    /** Deletes every version's object from the token, oldest first (a failure part-way leaves the newest ones). */
    @Override
    public void destroyKey(final String kekId) {
        requireValidKeyId(kekId);
        synchronized (adminLock) {
            withRecovery("destroying KEK " + kekId, () -> {
                final TreeSet<Integer> versions = fresh(true).require(kekId, token);
                for (final int n : versions) {
                    deleteEntry(label(kekId, n));
                }
                fresh(true);
                LOG.info("destroyed KEK {} ({} versions) in {}", kekId, versions.size(), token);
                return null;
            });
        }
    }

    private void addVersion(final String kekId, final int version) {
        final String label = label(kekId, version);
        try {
            final KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
            generator.init(256);
            final SecretKey generated = generator.generateKey(); // a session object, sensitive and non-extractable
            requireNotExtractable(generated, "generated");
            synchronized (keyStore) {
                // Copies the session object to a token object labelled `label` (C_CopyObject keeps the attributes).
                keyStore.setEntry(label, new KeyStore.SecretKeyEntry(generated), null);
            }
            final Key stored;
            synchronized (keyStore) {
                stored = keyStore.getKey(label, null);
            }
            if (stored == null) {
                throw new KmsException("the token did not keep KEK " + ref(kekId, version) + " in " + token);
            }
            try {
                requireNotExtractable(stored, "stored");
            } catch (final KmsException e) {
                deleteEntry(label);
                throw e;
            }
        } catch (final GeneralSecurityException | ProviderException e) {
            throw classify("creating KEK " + ref(kekId, version), e);
        }
    }

    /**
     * The token must refuse to reveal the key: no encoded value, and (where SunPKCS11 says so in its description)
     * {@code CKA_EXTRACTABLE=false}, so it can not be wrapped out either.
     */
    private void requireNotExtractable(final Key key, final String what) {
        final byte[] encoded = key.getEncoded();
        final String description = String.valueOf(key);
        if (encoded != null) {
            Arrays.fill(encoded, (byte) 0);
        }
        if (encoded != null || (description.contains("extractable") && !description.contains("unextractable"))) {
            throw new KmsException("the " + what + " KEK in " + token + " is extractable; configure SunPKCS11 with "
                    + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = { CKA_SENSITIVE = true CKA_EXTRACTABLE = false }");
        }
    }

    private void deleteEntry(final String label) {
        try {
            synchronized (keyStore) {
                if (keyStore.containsAlias(label)) {
                    keyStore.deleteEntry(label);
                }
            }
        } catch (final GeneralSecurityException | ProviderException e) {
            throw classify("deleting token object " + label, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        Arrays.fill(pin, '\0');
        index = Index.EMPTY;
        // No logout: PKCS#11 login state belongs to the whole process, and other instances may still use the token.
    }

    /** The token's key object for a KEK version (for tests: its value must not be readable). */
    Key secretKeyForTest(final KekRef ref) {
        return kek(fresh(true), ref.keyId(), Integer.parseInt(ref.version()));
    }

    /** The SunPKCS11 provider instance of the token (for tests). */
    Provider providerForTest() {
        return provider;
    }

    @Override
    public String toString() {
        return "Pkcs11Kms[" + token + "]";
    }

    // ---------------------------------------------------------------- index of labels

    /** The KEK versions read from the token's labels, with their key objects memoised. */
    private static final class Index {
        static final Index EMPTY = new Index(Map.of(), 0);

        final Map<String, TreeSet<Integer>> versions;
        final long readAt;
        final ConcurrentHashMap<String, Key> keys = new ConcurrentHashMap<>();

        Index(final Map<String, TreeSet<Integer>> versions, final long readAt) {
            this.versions = versions;
            this.readAt = readAt;
        }

        Set<Integer> versions(final String keyId) {
            final Set<Integer> v = versions.get(keyId);
            return v != null ? v : Set.of();
        }

        TreeSet<Integer> require(final String keyId, final String token) {
            final TreeSet<Integer> v = versions.get(keyId);
            if (v == null || v.isEmpty()) {
                throw new KeyNotFoundException("KEK '" + keyId + "' not found in " + token);
            }
            return v;
        }
    }

    /** The index, re-read from the token when {@code force}d or older than the refresh interval. */
    private Index fresh(final boolean force) {
        if (closed) {
            throw new IllegalStateException("pkcs11 KMS for " + token + " is closed");
        }
        final Index current = index;
        if (!force && current != Index.EMPTY && System.nanoTime() - current.readAt < refreshNanos) {
            return current;
        }
        final Index read = readIndex();
        index = read;
        return read;
    }

    private Index readIndex() {
        final Map<String, TreeSet<Integer>> versions = new TreeMap<>();
        final long now = System.nanoTime();
        try {
            final List<String> labels;
            synchronized (keyStore) {
                keyStore.load(null, pin); // re-reads the token's objects (no new login while logged in)
                labels = Collections.list(keyStore.aliases());
            }
            for (final String label : labels) {
                final Matcher m = LABEL.matcher(label);
                if (m.matches()) {
                    versions.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
                }
            }
        } catch (final IOException | GeneralSecurityException | ProviderException e) {
            throw classify("reading the key labels", e);
        }
        final Index read = new Index(Collections.unmodifiableMap(versions), now);
        final Index previous = index;
        if (previous != null) {
            // Labels are written once and never reused while the object exists: known objects stay valid.
            previous.keys.forEach((label, key) -> {
                final Matcher m = LABEL.matcher(label);
                if (m.matches() && read.versions(m.group(1)).contains(Integer.parseInt(m.group(2)))) {
                    read.keys.put(label, key);
                }
            });
        }
        return read;
    }

    private Key kek(final Index current, final String keyId, final int version) {
        final String label = label(keyId, version);
        final Key known = current.keys.get(label);
        if (known != null) {
            return known;
        }
        final Key key;
        try {
            synchronized (keyStore) {
                key = keyStore.getKey(label, null);
            }
        } catch (final GeneralSecurityException | ProviderException e) {
            throw classify("reading KEK " + ref(keyId, version), e);
        }
        if (key == null) {
            throw notFound(ref(keyId, version));
        }
        if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
            throw new KmsException("token object " + label + " in " + token + " is not an AES key");
        }
        current.keys.putIfAbsent(label, key);
        return key;
    }

    private KeyDescription describe(final Index current, final String keyId) {
        final TreeSet<Integer> versions = current.require(keyId, token);
        final List<String> names = versions.stream().map(String::valueOf).toList();
        return new KeyDescription(PROVIDER, keyId, Integer.toString(versions.last()), names, Instant.EPOCH);
    }

    // ---------------------------------------------------------------- errors

    private interface Call<T> {
        T run();
    }

    /**
     * Runs {@code call}; when it failed because the login, a session or a key handle was lost (token re-inserted,
     * HSM restarted, object re-created), logs in again, re-reads the labels and runs it once more.
     */
    private <T> T withRecovery(final String what, final Call<T> call) {
        try {
            return call.run();
        } catch (final KmsException e) {
            final String code = ckr(e);
            if (closed || code == null || !RECOVERABLE.contains(code)) {
                throw e;
            }
            LOG.warn("{} on {} failed with {}; logging in again and retrying once", what, token, code);
            index = Index.EMPTY;
            login();
            index = readIndex();
            return call.run();
        }
    }

    /** A one-line KmsException for a SunPKCS11 failure: transient for device/session trouble, else permanent. */
    private KmsException classify(final String what, final Throwable e) {
        final String code = ckr(e);
        final String message = "PKCS#11 " + what + " failed on " + token + ": " + (code != null ? code : rootMessage(e));
        if (code != null && TRANSIENT.contains(code) || isTokenGone(e)) {
            return new KmsUnavailableException(message, e);
        }
        return new KmsException(message, e);
    }

    private static boolean isTokenGone(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProviderException && String.valueOf(t.getMessage()).contains("Token has been removed")) {
                return true;
            }
        }
        return false;
    }

    /** The first PKCS#11 return value ({@code CKR_...}) named in the cause chain, or null. */
    static String ckr(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            final Matcher m = CKR.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group();
            }
        }
        return null;
    }

    private static String rootMessage(final Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String message = root.getMessage();
        return ProviderSettings.oneLine(root.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    private static KeyUnwrapException rejected(final WrappedDataKey wrapped, final Exception cause) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by KEK " + wrapped.kek(), cause);
    }

    private KeyNotFoundException notFound(final KekRef ref) {
        return new KeyNotFoundException("KEK version " + ref + " not found in " + token);
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

    static String label(final String keyId, final int version) {
        return keyId + "#v" + version;
    }
}
