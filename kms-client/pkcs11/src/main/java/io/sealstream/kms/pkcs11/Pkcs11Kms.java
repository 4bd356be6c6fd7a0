package io.sealstream.kms.pkcs11;

import static io.sealstream.kms.pkcs11.Pkcs11Errors.TRANSIENT;
import static io.sealstream.kms.pkcs11.Pkcs11Errors.ckr;

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
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
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
    private static final String INVALID_KEY_ID = "invalid KEK id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pkcs11Token hsm;
    private final String token;
    /** Serialises creating, rotating and destroying inside this JVM. */
    private final Object adminLock = new Object();

    private Pkcs11Kms(final Pkcs11Token hsm) {
        this.hsm = hsm;
        this.token = hsm.name();
    }

    /** Configures SunPKCS11 for the token, logs in with the PIN and reads the KEK labels. */
    public static Pkcs11Kms open(final Pkcs11KmsConfig config) {
        Objects.requireNonNull(config, "config");
        return new Pkcs11Kms(Pkcs11Token.open(config));
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    // ---------------------------------------------------------------- data keys

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        requireValidKeyId(kekId);
        return hsm.withRecovery("generating a data key under " + kekId, () -> {
            Pkcs11Token.Index current = hsm.fresh(false);
            if (!current.versions.containsKey(kekId)) {
                current = hsm.fresh(true); // created by another process since the last read?
            }
            final int version = current.require(kekId, token).last();
            final KekRef ref = ref(kekId, version);
            final Key kek = hsm.kek(current, kekId, version);
            final byte[] dek = new byte[DataKey.KEY_BYTES];
            RANDOM.nextBytes(dek);
            try {
                final String dekId = DekIds.newDekId();
                return new DataKey(dek, new WrappedDataKey(dekId, ref, wrap(kek, ref, dekId, scope, dek), scope));
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
        return hsm.withRecovery("unwrapping data key " + wrapped.dekId(), () -> {
            Pkcs11Token.Index current = hsm.fresh(false);
            if (!current.versions(ref.keyId()).contains(version)) {
                current = hsm.fresh(true);
                if (!current.versions(ref.keyId()).contains(version)) {
                    throw notFound(ref);
                }
            }
            final Key kek = hsm.kek(current, ref.keyId(), version);
            try {
                return new DataKey(GcmKeyWrap.unwrap(Cipher.getInstance("AES/GCM/NoPadding", hsm.provider()), kek, wrapped),
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
            return hsm.withRecovery("re-wrapping data key " + wrapped.dekId(), () -> {
                final Pkcs11Token.Index current = hsm.fresh(false);
                final int currentVersion = current.require(keyId, token).last();
                if (wrapped.kek().version().equals(Integer.toString(currentVersion))) {
                    return wrapped;
                }
                final KekRef ref = ref(keyId, currentVersion);
                final byte[] dek = plain.copyKeyBytes();
                try {
                    return new WrappedDataKey(wrapped.dekId(), ref, wrap(hsm.kek(current, keyId, currentVersion), ref,
                            wrapped.dekId(), wrapped.scope(), dek), wrapped.scope());
                } finally {
                    Arrays.fill(dek, (byte) 0);
                }
            });
        }
    }

    /** Wraps inside the token: the KEK never leaves it. */
    private byte[] wrap(final Key kek, final KekRef ref, final String dekId, final KeyScope scope, final byte[] dek) {
        try {
            return GcmKeyWrap.wrap(Cipher.getInstance("AES/GCM/NoPadding", hsm.provider()), kek, ref, dekId, scope, dek);
        } catch (final GeneralSecurityException | ProviderException e) {
            throw classify("wrapping data key " + dekId + " under KEK " + ref, e);
        }
    }

    // ---------------------------------------------------------------- key management

    @Override
    public KeyDescription describeKey(final String kekId) {
        requireValidKeyId(kekId);
        return hsm.withRecovery("describing KEK " + kekId, () -> describe(hsm.fresh(true), kekId));
    }

    @Override
    public List<KeyDescription> listKeys() {
        return hsm.withRecovery("listing KEKs", () -> {
            final Pkcs11Token.Index current = hsm.fresh(true);
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
            return hsm.withRecovery("creating KEK " + kekId, () -> {
                if (hsm.fresh(true).versions.containsKey(kekId)) {
                    throw new KmsException("KEK '" + kekId + "' already exists in " + token);
                }
                hsm.addVersion(kekId, 1);
                LOG.info("created KEK {} in {}", ref(kekId, 1), token);
                return describe(hsm.fresh(true), kekId);
            });
        }
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        requireValidKeyId(kekId);
        synchronized (adminLock) {
            return hsm.withRecovery("rotating KEK " + kekId, () -> {
                final int next = hsm.fresh(true).require(kekId, token).last() + 1;
                hsm.addVersion(kekId, next);
                LOG.info("rotated KEK {} in {}", ref(kekId, next), token);
                return describe(hsm.fresh(true), kekId);
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
            hsm.withRecovery("destroying KEK version " + ref(kekId, number), () -> {
                final TreeSet<Integer> versions = hsm.fresh(true).require(kekId, token);
                if (versions.last() == number) {
                    throw new KmsException("KEK " + ref(kekId, number) + " is the current version; rotate before destroying it");
                }
                if (versions.contains(number)) {
                    hsm.deleteEntry(label(kekId, number));
                    hsm.fresh(true);
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
            hsm.withRecovery("destroying KEK " + kekId, () -> {
                final TreeSet<Integer> versions = hsm.fresh(true).require(kekId, token);
                for (final int n : versions) {
                    hsm.deleteEntry(label(kekId, n));
                }
                hsm.fresh(true);
                LOG.info("destroyed KEK {} ({} versions) in {}", kekId, versions.size(), token);
                return null;
            });
        }
    }

    @Override
    public void close() {
        hsm.close();
    }

    /** The token's key object for a KEK version (for tests: its value must not be readable). */
    Key secretKeyForTest(final KekRef ref) {
        return hsm.kek(hsm.fresh(true), ref.keyId(), Integer.parseInt(ref.version()));
    }

    /** The SunPKCS11 provider instance of the token (for tests). */
    Provider providerForTest() {
        return hsm.provider();
    }

    @Override
    public String toString() {
        return "Pkcs11Kms[" + token + "]";
    }

    private KeyDescription describe(final Pkcs11Token.Index current, final String keyId) {
        final TreeSet<Integer> versions = current.require(keyId, token);
        final List<String> names = versions.stream().map(String::valueOf).toList();
        return new KeyDescription(PROVIDER, keyId, Integer.toString(versions.last()), names, Instant.EPOCH);
    }

    // ---------------------------------------------------------------- errors

    private KmsException classify(final String what, final Throwable e) {
        return Pkcs11Errors.classify(token, what, e);
    }

    private static KeyUnwrapException rejected(final WrappedDataKey wrapped, final Exception cause) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by KEK " + wrapped.kek(), cause);
    }

    private KeyNotFoundException notFound(final KekRef ref) {
        return Pkcs11Errors.notFound(ref, token);
    }

    // ---------------------------------------------------------------- naming

    private static void requireValidKeyId(final String kekId) {
        if (kekId == null || !KEY_ID.matcher(kekId).matches()) {
            throw new IllegalArgumentException(INVALID_KEY_ID);
        }
    }

    static KekRef ref(final String keyId, final int version) {
        return new KekRef(PROVIDER, keyId, Integer.toString(version));
    }

    static String label(final String keyId, final int version) {
        return keyId + "#v" + version;
    }
}
