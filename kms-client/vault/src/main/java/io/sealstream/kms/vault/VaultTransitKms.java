package io.sealstream.kms.vault;

import static io.sealstream.kms.vault.VaultHttp.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyBinding;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.SigningKeys;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KMS provider {@value #PROVIDER}: HashiCorp Vault's (or OpenBao's) Transit secrets engine over its HTTP API.
 *
 * <h2>Keys and binding</h2>
 * KEKs are Transit keys of type {@code aes256-gcm96} created with {@code derived=true}. Every call on a data key
 * (datakey, decrypt, rewrap) passes as key-derivation {@code context} the encoding of ({@code sealstream-dek-wrap-v1},
 * provider, KEK id, DEK id), so Vault wraps each data key under a key derived for exactly that DEK id: a wrapped key
 * moved to another DEK id or key fails to decrypt in Vault. (Transit's {@code associated_data} would do the same but
 * is accepted only by encrypt/decrypt, not by datakey or rewrap.) Keys that are not derived are refused, since the
 * context would silently be ignored for them. The version is not part of the context (rewrap changes it): it is the
 * {@code vault:vN:} prefix of the ciphertext, which selects the key version inside Vault, and the {@link KekRef}
 * version must equal that N, so a relabelled version is rejected before any call.
 *
 * <h2>Versions</h2>
 * KEK versions are Transit key versions ({@code 1}, {@code 2}, ...); {@link #rotateKey} is Transit's rotate and
 * {@link #rewrap} its server-side rewrap (the plaintext data key never leaves Vault), skipped when the key already is
 * under the latest version. {@link #destroyKeyVersion} raises {@code min_decryption_version} past the version (and
 * {@code min_encryption_version} to at least that, which Vault requires) and then trims ({@code min_available_version})
 * so Vault deletes the key material. Transit can only delete versions from the oldest up, so destroying a version
 * while an older one is still kept is refused with an error naming the older versions; the latest version is
 * refused too (rotate first). {@link #destroyKey} sets {@code deletion_allowed} and deletes the key.
 *
 * <h2>Token</h2>
 * Sent as {@code X-Vault-Token} on every request, never logged and scrubbed from echoed server messages. The token's
 * policy needs: create/update on {@code <mount>/datakey/plaintext/*}, {@code decrypt/*}, {@code rewrap/*}; read on
 * {@code keys/*}; and for key administration create/update/delete on {@code keys/*}.
 *
 * <h2>Errors</h2>
 * 5xx (sealed, standby, overloaded), 412, 429 and connection failures or timeouts: {@link KmsUnavailableException};
 * 404 or an unknown key: {@link KeyNotFoundException}; other 400s on a data key: {@link KeyUnwrapException} naming the
 * DEK id; 401/403 (token or policy) and everything else: permanent {@link KmsException}.
 */
public final class VaultTransitKms implements KeyManagementService, SigningKeys {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "vault-transit";
    /** The only Transit key type used (and accepted) for KEKs. */
    public static final String KEY_TYPE = "aes256-gcm96";

    private static final Logger LOG = LoggerFactory.getLogger(VaultTransitKms.class);
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern CIPHERTEXT = Pattern.compile("vault:v([1-9][0-9]{0,8}):[A-Za-z0-9+/=]+");
    private static final String INVALID_KEY_ID = "invalid KEK id: use 1 to 128 characters from A-Z a-z 0-9 . _ -";

    private final VaultTransitConfig config;
    private final VaultHttp http;
    /** Keys already checked to be derived aes256-gcm96 keys; forgotten on 404 and on destroyKey. */
    private final Set<String> verifiedKeys = ConcurrentHashMap.newKeySet();

    private VaultTransitKms(final VaultTransitConfig config) {
        this.config = config;
        this.http = new VaultHttp(config);
    }

    public static VaultTransitKms open(final VaultTransitConfig config) {
        return new VaultTransitKms(Objects.requireNonNull(config, "config"));
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        requireValidKeyId(kekId);
        requireUsableKey(kekId);
        final String dekId = DekIds.newDekId();
        final ObjectNode body = JSON.createObjectNode()
                .put("context", context(kekId, dekId, scope))
                .put("bits", DataKey.KEY_BYTES * 8);
        final JsonNode data = http.call("POST", "datakey/plaintext/" + kekId, body, "datakey", "KEK '" + kekId + "'",
                null);
        final String ciphertext = text(data, "ciphertext", "datakey");
        final int version = versionOf(ciphertext);
        if (version < 0) {
            throw new KmsException("Vault datakey for KEK '" + kekId + "' returned a ciphertext without a vault:vN: prefix");
        }
        final byte[] dek = decodeKey(text(data, "plaintext", "datakey"), "datakey", kekId);
        try {
            final KekRef ref = new KekRef(PROVIDER, kekId, Integer.toString(version));
            return new DataKey(dek, new WrappedDataKey(dekId, ref, ascii(ciphertext, ref), scope));
        } catch (final RuntimeException e) {
            Arrays.fill(dek, (byte) 0);
            throw e;
        }
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        final String ciphertext = checkedCiphertext(wrapped);
        final KekRef ref = wrapped.kek();
        requireUsableKey(ref.keyId());
        final ObjectNode body = JSON.createObjectNode()
                .put("ciphertext", ciphertext)
                .put("context", context(ref.keyId(), wrapped.dekId(), wrapped.scope()));
        final JsonNode data = http.call("POST", "decrypt/" + ref.keyId(), body, "decrypt", "KEK " + ref,
                wrapped.dekId());
        return new DataKey(decodeKey(text(data, "plaintext", "decrypt"), "decrypt", ref.keyId()), wrapped);
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        final String ciphertext = checkedCiphertext(wrapped);
        final KekRef ref = wrapped.kek();
        final TransitKeyInfo info = readKey(ref.keyId());
        requireUsable(info);
        if (Integer.parseInt(ref.version()) == info.latestVersion()) {
            return wrapped;
        }
        final ObjectNode body = JSON.createObjectNode()
                .put("ciphertext", ciphertext)
                .put("context", context(ref.keyId(), wrapped.dekId(), wrapped.scope()));
        final JsonNode data = http.call("POST", "rewrap/" + ref.keyId(), body, "rewrap", "KEK " + ref,
                wrapped.dekId());
        final String rewrapped = text(data, "ciphertext", "rewrap");
        final int version = versionOf(rewrapped);
        if (version < 0) {
            throw new KmsException("Vault rewrap for KEK " + ref + " returned a ciphertext without a vault:vN: prefix");
        }
        final KekRef newRef = new KekRef(PROVIDER, ref.keyId(), Integer.toString(version));
        return new WrappedDataKey(wrapped.dekId(), newRef, ascii(rewrapped, newRef), wrapped.scope());
    }

    // ---------------------------------------------------------------- signing keys (audit checkpoints)

    /** The Transit key type audit checkpoints are signed with. */
    public static final String SIGNING_KEY_TYPE = "ed25519";
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410) before the 32 raw key bytes. */
    private static final byte[] ED25519_SPKI_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");

    @Override
    public KekRef createSigningKey(final String keyId) {
        requireValidKeyId(keyId);
        if (exists(keyId)) {
            throw new KmsException("key '" + keyId + "' already exists in Vault transit mount '" + config.mount() + "'");
        }
        http.call("POST", "keys/" + keyId, JSON.createObjectNode().put("type", SIGNING_KEY_TYPE), "create key",
                "signing key '" + keyId + "'", null);
        LOG.info("created Vault transit signing key {} ({}) in mount {}", keyId, SIGNING_KEY_TYPE, config.mount());
        return currentSigningKey(keyId);
    }

    @Override
    public KekRef currentSigningKey(final String keyId) {
        return ref(keyId, signingKey(keyId).path("latest_version").asInt(0));
    }

    @Override
    public byte[] sign(final KekRef key, final byte[] message) {
        final int version = signingVersion(key);
        final ObjectNode body = JSON.createObjectNode()
                .put("input", java.util.Base64.getEncoder().encodeToString(message))
                .put("key_version", version);
        final String signature = text(http.call("POST", "sign/" + key.keyId(), body, "sign", "signing key " + key, null),
                "signature", "sign");
        final String prefix = "vault:v" + version + ":";
        if (!signature.startsWith(prefix)) {
            throw new KmsException("Vault sign with " + key + " answered for another key version");
        }
        try {
            return java.util.Base64.getDecoder().decode(signature.substring(prefix.length()));
        } catch (final IllegalArgumentException e) {
            throw new KmsException("Vault sign with " + key + " returned a signature that is not base64");
        }
    }

    @Override
    public java.security.PublicKey publicKey(final KekRef key) {
        final int version = signingVersion(key);
        final JsonNode entry = signingKey(key.keyId()).path("keys").path(Integer.toString(version));
        final byte[] raw;
        try {
            raw = java.util.Base64.getDecoder().decode(entry.path("public_key").asText(""));
        } catch (final IllegalArgumentException e) {
            throw new KmsException("Vault's public key of " + key + " is not base64");
        }
        if (raw.length != 32) {
            throw new KeyNotFoundException("Vault has no Ed25519 public key for " + key);
        }
        final byte[] spki = java.util.Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
        try {
            return java.security.KeyFactory.getInstance("Ed25519")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        } catch (final java.security.GeneralSecurityException e) {
            throw new KmsException("Vault's public key of " + key + " is not an Ed25519 key", e);
        }
    }

    /** The read-key answer of an ed25519 signing key; a KEK (aes256-gcm96) or any other type is refused. */
    private JsonNode signingKey(final String keyId) {
        requireValidKeyId(keyId);
        final JsonNode data = http.call("GET", "keys/" + keyId, null, "read key", "signing key '" + keyId + "'", null);
        final String type = data.path("type").asText("");
        if (!SIGNING_KEY_TYPE.equals(type)) {
            throw new KmsException("Vault transit key '" + keyId + "' is of type " + type + ", not " + SIGNING_KEY_TYPE
                    + ": sign audit checkpoints with a key of its own (vault write -f transit/keys/" + keyId
                    + " type=ed25519)");
        }
        if (data.path("latest_version").asInt(0) < 1) {
            throw new KmsException("Vault transit key '" + keyId + "' has no versions");
        }
        return data;
    }

    private static int signingVersion(final KekRef key) {
        if (!PROVIDER.equals(key.provider()) || !VERSION.matcher(key.version()).matches()) {
            throw new KeyNotFoundException("no such Vault signing key version: " + key);
        }
        return Integer.parseInt(key.version());
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        requireValidKeyId(kekId);
        return readKey(kekId).describe();
    }

    /** Creates a derived {@value #KEY_TYPE} Transit key; fails if a key of that name exists. */
    @Override
    public KeyDescription createKey(final String kekId) {
        requireValidKeyId(kekId);
        if (exists(kekId)) {
            throw new KmsException("KEK '" + kekId + "' already exists in Vault transit mount '" + config.mount() + "'");
        }
        final ObjectNode body = JSON.createObjectNode().put("type", KEY_TYPE).put("derived", true);
        http.call("POST", "keys/" + kekId, body, "create key", "KEK '" + kekId + "'", null);
        LOG.info("created Vault transit key {} in mount {}", kekId, config.mount());
        return describeKey(kekId);
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        requireValidKeyId(kekId);
        readKey(kekId); // a clear KeyNotFoundException for unknown keys
        http.call("POST", "keys/" + kekId + "/rotate", JSON.createObjectNode(), "rotate", "KEK '" + kekId + "'", null);
        final KeyDescription rotated = describeKey(kekId);
        LOG.info("rotated Vault transit key {} to version {}", kekId, rotated.currentVersion());
        return rotated;
    }

    @Override
    public List<KeyDescription> listKeys() {
        final JsonNode data;
        try {
            data = http.call("GET", "keys?list=true", null, "list keys", "mount '" + config.mount() + "'", null);
        } catch (final KeyNotFoundException e) {
            return List.of(); // Vault answers 404 when there are no keys
        }
        final List<KeyDescription> keys = new ArrayList<>();
        for (final JsonNode name : data.path("keys")) {
            if (!KEY_ID.matcher(name.asText()).matches()) {
                continue; // not a name sealstream could use
            }
            try {
                keys.add(readKey(name.asText()).describe());
            } catch (final KeyNotFoundException e) {
                // deleted meanwhile
            }
        }
        return List.copyOf(keys);
    }

    @Override
    public void destroyKeyVersion(final String kekId, final String version) {
        requireValidKeyId(kekId);
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new KeyNotFoundException("KEK version " + kekId + "@" + version + " not found in Vault transit");
        }
        final int n = Integer.parseInt(version);
        final TransitKeyInfo info = readKey(kekId);
        if (n > info.latestVersion()) {
            throw new KeyNotFoundException("KEK version " + ref(kekId, n) + " not found in Vault transit (latest is "
                    + info.latestVersion() + ")");
        }
        if (n == info.latestVersion()) {
            throw new KmsException("refusing to destroy " + ref(kekId, n) + ": it is the current version; rotate first");
        }
        final int oldestKept = Math.max(info.minAvailableVersion(), 1);
        if (n < oldestKept) {
            return; // already trimmed
        }
        if (n > oldestKept) {
            throw new KmsException("Vault transit deletes key versions oldest first: versions " + oldestKept
                    + (n - 1 > oldestKept ? ".." + (n - 1) : "") + " of KEK '" + kekId + "' are still kept, destroy them"
                    + " before version " + n);
        }
        final int minDecryption = Math.max(info.minDecryptionVersion(), n + 1);
        final int minEncryption = info.minEncryptionVersion() == 0 ? info.latestVersion()
                : Math.max(info.minEncryptionVersion(), minDecryption);
        http.call("POST", "keys/" + kekId + "/config", JSON.createObjectNode()
                        .put("min_decryption_version", minDecryption).put("min_encryption_version", minEncryption),
                "config", "KEK '" + kekId + "'", null);
        http.call("POST", "keys/" + kekId + "/trim", JSON.createObjectNode().put("min_available_version", n + 1),
                "trim", "KEK '" + kekId + "'", null);
        LOG.info("destroyed KEK version {} (Vault transit trimmed below version {})", ref(kekId, n), n + 1);
    }

    @Override
    public void destroyKey(final String kekId) {
        requireValidKeyId(kekId);
        readKey(kekId);
        http.call("POST", "keys/" + kekId + "/config", JSON.createObjectNode().put("deletion_allowed", true),
                "config", "KEK '" + kekId + "'", null);
        http.call("DELETE", "keys/" + kekId, null, "delete key", "KEK '" + kekId + "'", null);
        verifiedKeys.remove(kekId);
        LOG.info("destroyed KEK {} (Vault transit key deleted from mount {})", kekId, config.mount());
    }

    @Override
    public String toString() {
        return "VaultTransitKms[" + config.address() + ", mount=" + config.mount()
                + (config.namespace() == null ? "" : ", namespace=" + config.namespace()) + "]";
    }

    // ---------------------------------------------------------------- keys

    private TransitKeyInfo readKey(final String kekId) {
        final JsonNode data;
        try {
            data = http.call("GET", "keys/" + kekId, null, "read key", "KEK '" + kekId + "'", null);
        } catch (final KeyNotFoundException e) {
            verifiedKeys.remove(kekId);
            throw e;
        }
        return TransitKeyInfo.of(kekId, data);
    }

    private boolean exists(final String kekId) {
        try {
            readKey(kekId);
            return true;
        } catch (final KeyNotFoundException e) {
            return false;
        }
    }

    /** Checks once per key (type and derivation can not change after creation) that the key binds data keys. */
    private void requireUsableKey(final String kekId) {
        if (!verifiedKeys.contains(kekId)) {
            requireUsable(readKey(kekId));
        }
    }

    private void requireUsable(final TransitKeyInfo info) {
        if (!KEY_TYPE.equals(info.type()) || !info.derived()) {
            throw new KmsException("Vault transit key '" + info.name() + "' is "
                    + (info.type().isEmpty() ? "of unknown type" : info.type())
                    + (info.derived() ? "" : " without derivation") + ": sealstream needs type=" + KEY_TYPE
                    + " derived=true so every data key is bound to its DEK id (create it with sealstream, or"
                    + " vault write " + config.mount() + "/keys/" + info.name() + " type=" + KEY_TYPE + " derived=true)");
        }
        verifiedKeys.add(info.name());
    }

    // ---------------------------------------------------------------- wrapped keys

    /** Checks provider, key id, ciphertext form and that the KekRef version is the ciphertext's. */
    private static String checkedCiphertext(final WrappedDataKey wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        final KekRef ref = wrapped.kek();
        if (!PROVIDER.equals(ref.provider())) {
            throw new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " is for KMS provider '"
                    + ref.provider() + "', not '" + PROVIDER + "'");
        }
        if (!KEY_ID.matcher(ref.keyId()).matches() || !VERSION.matcher(ref.version()).matches()) {
            throw new KeyNotFoundException("KEK version " + ref + " of wrapped data key " + wrapped.dekId()
                    + " not found in Vault transit");
        }
        final byte[] bytes = wrapped.ciphertext();
        for (final byte b : bytes) {
            if (b < 0x21 || b > 0x7e) {
                throw rejected(wrapped, "not a Vault ciphertext");
            }
        }
        final String ciphertext = new String(bytes, StandardCharsets.US_ASCII);
        final int version = versionOf(ciphertext);
        if (version < 0) {
            throw rejected(wrapped, "not a Vault ciphertext");
        }
        if (!Integer.toString(version).equals(ref.version())) {
            throw rejected(wrapped, "its ciphertext is of key version " + version + ", not " + ref.version());
        }
        return ciphertext;
    }

    private static KeyUnwrapException rejected(final WrappedDataKey wrapped, final String reason) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " under KEK " + wrapped.kek()
                + " was rejected: " + reason);
    }

    /** N of {@code vault:vN:...}, or -1. */
    static int versionOf(final String ciphertext) {
        final Matcher m = CIPHERTEXT.matcher(ciphertext);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Base64 of the key-derivation context binding a data key to its KEK id, DEK id and (when scoped) tenant and bucket. */
    static String context(final String kekId, final String dekId, final KeyScope scope) {
        final byte[] encoded = scope.isScoped()
                ? KeyBinding.encode(KeyBinding.SCOPED_WRAP_LABEL, PROVIDER, kekId, dekId, scope.tenant(), scope.bucket())
                : KeyBinding.encode(KeyBinding.WRAP_LABEL, PROVIDER, kekId, dekId);
        return Base64.getEncoder().encodeToString(encoded);
    }

    private static byte[] ascii(final String ciphertext, final KekRef ref) {
        final byte[] bytes = ciphertext.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > WrappedDataKey.MAX_CIPHERTEXT_BYTES) {
            throw new KmsException("Vault returned a " + bytes.length + "-byte ciphertext under " + ref);
        }
        return bytes;
    }

    private static byte[] decodeKey(final String base64, final String operation, final String kekId) {
        final byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (final IllegalArgumentException e) {
            throw new KmsException("Vault " + operation + " for KEK '" + kekId + "' returned a plaintext that is not base64");
        }
        if (key.length != DataKey.KEY_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new KmsException("Vault " + operation + " for KEK '" + kekId + "' returned a " + key.length
                    + "-byte key, not " + DataKey.KEY_BYTES);
        }
        return key;
    }

    private static String text(final JsonNode data, final String field, final String operation) {
        final JsonNode value = data.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new KmsException("Vault " + operation + " response lacks '" + field + "'");
        }
        return value.asText();
    }

    private static KekRef ref(final String keyId, final int version) {
        return new KekRef(PROVIDER, keyId, Integer.toString(version));
    }

    private static void requireValidKeyId(final String kekId) {
        if (kekId == null || !KEY_ID.matcher(kekId).matches()) {
            throw new IllegalArgumentException(INVALID_KEY_ID);
        }
    }

}
