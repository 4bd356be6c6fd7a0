package io.sealstream.kms.pkcs11;

import static io.sealstream.kms.pkcs11.Pkcs11Errors.RECOVERABLE;
import static io.sealstream.kms.pkcs11.Pkcs11Errors.ckr;
import static io.sealstream.kms.pkcs11.Pkcs11Errors.rootMessage;
import static io.sealstream.kms.pkcs11.Pkcs11Kms.label;
import static io.sealstream.kms.pkcs11.Pkcs11Kms.ref;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.ProviderSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logged-in PKCS#11 token behind {@link Pkcs11Kms}: SunPKCS11 provider and key store, PIN and login, the index of
 * KEK labels with their (non-extractable) key objects, and creating or deleting those objects.
 */
final class Pkcs11Token {

    // Same log category as before the split: these lines are the provider's.
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Kms.class);

    private static final Pattern LABEL = Pattern.compile("([A-Za-z0-9._-]{1,128})#v([1-9][0-9]{0,8})");

    private final Provider provider;
    private final KeyStore keyStore;
    private final String token;
    private final char[] pin;
    private final long refreshNanos;
    private volatile Index index;
    private volatile boolean closed;

    private Pkcs11Token(final Provider provider, final KeyStore keyStore, final String token, final char[] pin,
                        final long refreshNanos) {
        this.provider = provider;
        this.keyStore = keyStore;
        this.token = token;
        this.pin = pin;
        this.refreshNanos = refreshNanos;
    }

    /** Configures SunPKCS11 for the token, logs in with the PIN and reads the KEK labels. */
    static Pkcs11Token open(final Pkcs11KmsConfig config) {
        final String token = config.describeToken();
        final Provider provider = configure(config, token);
        final char[] pin = config.pin().copy();
        try {
            final KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            final Pkcs11Token opened = new Pkcs11Token(provider, keyStore, token, pin, config.refreshInterval().toNanos());
            opened.login();
            opened.index = opened.readIndex();
            LOG.info("opened {} ({} KEKs)", token, opened.index.versions.size());
            return opened;
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

    /** Description of the token for messages (library, slot, label; never the PIN). */
    String name() {
        return token;
    }

    /** The SunPKCS11 provider instance configured for the token. */
    Provider provider() {
        return provider;
    }

    /** Zeroes the PIN and forgets the key objects; later calls fail. */
    void close() {
        closed = true;
        Arrays.fill(pin, '\0');
        index = Index.EMPTY;
        // No logout: PKCS#11 login state belongs to the whole process, and other instances may still use the token.
    }

    // ---------------------------------------------------------------- index of labels

    /** The KEK versions read from the token's labels, with their key objects memoised. */
    static final class Index {
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
    Index fresh(final boolean force) {
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

    /** The token's (non-extractable) key object of a KEK version, memoised in the index. */
    Key kek(final Index current, final String keyId, final int version) {
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

    // ---------------------------------------------------------------- key objects

    /** Generates KEK version {@code version} of {@code kekId} inside the token, sensitive and non-extractable. */
    void addVersion(final String kekId, final int version) {
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

    void deleteEntry(final String label) {
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

    // ---------------------------------------------------------------- errors

    interface Call<T> {
        T run();
    }

    /**
     * Runs {@code call}; when it failed because the login, a session or a key handle was lost (token re-inserted,
     * HSM restarted, object re-created), logs in again, re-reads the labels and runs it once more.
     */
    <T> T withRecovery(final String what, final Call<T> call) {
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

    private KmsException classify(final String what, final Throwable e) {
        return Pkcs11Errors.classify(token, what, e);
    }

    private KeyNotFoundException notFound(final KekRef ref) {
        return Pkcs11Errors.notFound(ref, token);
    }
}
