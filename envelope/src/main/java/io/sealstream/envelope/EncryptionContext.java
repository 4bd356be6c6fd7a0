package io.sealstream.envelope;

import io.sealstream.kms.KeyScope;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Key/value pairs that name what an object is (tenant, bucket, object key, ...). They are bound to the
 * ciphertext as associated data: decryption needs exactly the same pairs. Not secret, but not stored in the
 * object unless the encryptor is asked to.
 *
 * <p>Canonical form: pairs sorted by key (Java {@code String} order, which is UTF-16 code-unit order), keys
 * unique, so the order in which a caller lists them does not matter. {@code docs/FORMAT.md} gives the byte
 * encoding so that any reader can rebuild it.
 */
public final class EncryptionContext {

    public static final int MAX_ENTRIES = 64;
    public static final int MAX_FIELD_BYTES = 1024;
    /** Upper bound of {@link #canonicalEncoding()}'s length. */
    public static final int MAX_ENCODED_BYTES = 8192;

    public static final EncryptionContext EMPTY = new EncryptionContext(new TreeMap<>());

    /** The entry naming the tenant; with {@link #BUCKET} it decides the data key's scope ({@link #keyScope()}). */
    public static final String TENANT = "tenant";
    /** The entry naming the bucket. */
    public static final String BUCKET = "bucket";

    private final SortedMap<String, String> entries;
    private final byte[] encoded;

    private EncryptionContext(final TreeMap<String, String> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.encoded = encode(entries);
    }

    /** From alternating keys and values: {@code of("tenant", "acme", "bucket", "invoices")}. */
    public static EncryptionContext of(final String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("encryption context needs key/value pairs, got an odd count");
        }
        final TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            put(map, keysAndValues[i], keysAndValues[i + 1]);
        }
        return new EncryptionContext(map);
    }

    public static EncryptionContext of(final Map<String, String> pairs) {
        final TreeMap<String, String> map = new TreeMap<>();
        pairs.forEach((k, v) -> put(map, k, v));
        return new EncryptionContext(map);
    }

    private static void put(final TreeMap<String, String> map, final String key, final String value) {
        Objects.requireNonNull(key, "encryption context key");
        Objects.requireNonNull(value, "encryption context value for key '" + key + "'");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("encryption context keys must not be empty");
        }
        if (!wellFormed(key) || !wellFormed(value)) {
            // A lone surrogate would encode to '?' and make two different contexts bind alike.
            throw new IllegalArgumentException("encryption context entry '" + abbreviate(key) + "' is not well-formed Unicode");
        }
        if (utf8Length(key) > MAX_FIELD_BYTES || utf8Length(value) > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("encryption context entry '" + abbreviate(key) + "' longer than "
                    + MAX_FIELD_BYTES + " bytes");
        }
        if (map.putIfAbsent(key, value) != null) {
            throw new IllegalArgumentException("encryption context key '" + abbreviate(key) + "' given twice");
        }
        if (map.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("encryption context has more than " + MAX_ENTRIES + " entries");
        }
    }

    private static boolean wellFormed(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(final String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static int utf8Length(final String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] encode(final SortedMap<String, String> entries) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        writeU16(out, entries.size());
        entries.forEach((k, v) -> {
            writeField(out, k);
            writeField(out, v);
        });
        if (out.size() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("encryption context encodes to more than " + MAX_ENCODED_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    private static void writeField(final ByteArrayOutputStream out, final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeU16(out, b.length);
        out.write(b, 0, b.length);
    }

    private static void writeU16(final ByteArrayOutputStream out, final int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    /**
     * Parses a canonical encoding (as stored in a header). Rejects anything that is not canonical: unsorted or
     * duplicate keys, trailing bytes, lengths beyond the limits.
     */
    public static EncryptionContext fromCanonicalEncoding(final byte[] encoded) {
        if (encoded.length < 2 || encoded.length > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("stored encryption context has an invalid length");
        }
        int pos = 0;
        final int count = ((encoded[pos++] & 0xff) << 8) | (encoded[pos++] & 0xff);
        if (count > MAX_ENTRIES) {
            throw new IllegalArgumentException("stored encryption context has too many entries");
        }
        final TreeMap<String, String> map = new TreeMap<>();
        String previous = null;
        for (int i = 0; i < count; i++) {
            final String[] kv = new String[2];
            for (int j = 0; j < 2; j++) {
                if (pos + 2 > encoded.length) {
                    throw new IllegalArgumentException("stored encryption context is truncated");
                }
                final int len = ((encoded[pos++] & 0xff) << 8) | (encoded[pos++] & 0xff);
                if (len > MAX_FIELD_BYTES || pos + len > encoded.length) {
                    throw new IllegalArgumentException("stored encryption context is truncated");
                }
                kv[j] = new String(encoded, pos, len, StandardCharsets.UTF_8);
                pos += len;
            }
            if (previous != null && previous.compareTo(kv[0]) >= 0) {
                throw new IllegalArgumentException("stored encryption context is not in canonical order");
            }
            previous = kv[0];
            put(map, kv[0], kv[1]);
        }
        if (pos != encoded.length) {
            throw new IllegalArgumentException("stored encryption context has trailing bytes");
        }
        final EncryptionContext ctx = new EncryptionContext(map);
        if (!java.util.Arrays.equals(ctx.encoded, encoded)) {
            throw new IllegalArgumentException("stored encryption context is not canonical");
        }
        return ctx;
    }

    /**
     * The scope a data key must be bound to for this context: its {@link #TENANT} and {@link #BUCKET} entries, or
     * {@link KeyScope#UNSCOPED} when it lacks either. The encryptor refuses a data key of another scope, and the
     * decryptor asks the key resolver (so the KMS) for this scope, never for one named by the object.
     */
    public KeyScope keyScope() {
        final String tenant = entries.get(TENANT);
        final String bucket = entries.get(BUCKET);
        if (tenant == null || bucket == null || tenant.isEmpty() || bucket.isEmpty()) {
            return KeyScope.UNSCOPED;
        }
        return KeyScope.of(tenant, bucket);
    }

    public SortedMap<String, String> asMap() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The canonical bytes that are bound into key derivation (a copy). */
    public byte[] canonicalEncoding() {
        return encoded.clone();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof EncryptionContext other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
