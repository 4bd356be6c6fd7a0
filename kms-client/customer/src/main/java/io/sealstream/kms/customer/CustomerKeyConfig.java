package io.sealstream.kms.customer;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KmsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of the {@code customer} provider: the fingerprint key (from the environment, never the properties file)
 * and the customer key files loaded at start:
 * <ul>
 *   <li>{@code sealstream.kms.customer.keys.<keyId>.file=PATH}: the current key of {@code keyId};</li>
 *   <li>{@code sealstream.kms.customer.keys.<keyId>.previous-files=PATH[,PATH...]}: older keys of the same id, oldest
 *       first, still needed to unwrap data keys wrapped under them.</li>
 * </ul>
 * A key file holds exactly 32 raw bytes, or the key as base64 or hex text. {@link #toString()} shows paths only.
 *
 * @param fingerprintKey the service's fingerprint key (see {@link FingerprintKey})
 * @param keyFiles       per key id, its key files oldest first (the last is current)
 */
public record CustomerKeyConfig(FingerprintKey fingerprintKey, Map<String, List<KeyFile>> keyFiles) {

    public static final String PREFIX = "sealstream.kms.customer.";
    private static final Pattern KEY_PROPERTY = Pattern.compile(Pattern.quote(PREFIX + "keys.") + "(.+)\\.(file|previous-files)");

    public CustomerKeyConfig {
        Objects.requireNonNull(fingerprintKey, "fingerprintKey");
        final Map<String, List<KeyFile>> copy = new TreeMap<>();
        Objects.requireNonNull(keyFiles, "keyFiles").forEach((id, files) -> {
            CustomerKeyring.requireValidKeyId(id);
            copy.put(id, List.copyOf(files));
        });
        keyFiles = java.util.Collections.unmodifiableMap(copy);
    }

    /** One key file, named by the property it came from (for error messages). */
    public record KeyFile(String property, Path path) {

        public KeyFile {
            Objects.requireNonNull(property, "property");
            Objects.requireNonNull(path, "path");
        }

        /** The 32 key bytes (the caller zeroes them). Errors name the property and path, never the content. */
        byte[] read() {
            final byte[] raw;
            try {
                raw = Files.readAllBytes(path);
            } catch (final IOException | RuntimeException e) {
                throw new KmsException("cannot read customer key file " + path + " (" + property + "): "
                        + e.getClass().getSimpleName(), e);
            }
            if (raw.length == DataKey.KEY_BYTES) {
                if (printableAscii(raw)) {
                    // Every object header is an offline test of a guessed customer key (its wrapped data key): a
                    // password is found by guessing. 32 random bytes are all printable with probability ~1.6e-14.
                    Arrays.fill(raw, (byte) 0);
                    throw new KmsException("customer key file " + path + " (" + property + ") holds 32 printable "
                            + "characters: a password, not a key. A customer key must be 32 random bytes, written raw, "
                            + "as 64 hex characters or as base64 (e.g. openssl rand -hex 32)");
                }
                return raw;
            }
            final byte[] decoded = FingerprintKey.decodeText(raw);
            Arrays.fill(raw, (byte) 0);
            if (decoded == null || decoded.length != DataKey.KEY_BYTES) {
                if (decoded != null) {
                    Arrays.fill(decoded, (byte) 0);
                }
                throw new KmsException("customer key file " + path + " (" + property + ") must hold 32 raw bytes,"
                        + " or 32 bytes as base64 or hex");
            }
            return decoded;
        }
    }

    private static boolean printableAscii(final byte[] bytes) {
        for (final byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * From the {@code sealstream.kms.customer.keys.*} properties and, for the fingerprint key,
     * {@value FingerprintKey#KEY_ENV} or the file named by {@value FingerprintKey#KEY_FILE_ENV}.
     */
    public static CustomerKeyConfig fromProperties(final Map<String, String> config, final Map<String, String> env) {
        final Map<String, List<KeyFile>> files = new TreeMap<>();
        final Map<String, KeyFile> current = new TreeMap<>();
        for (final Map.Entry<String, String> entry : new TreeMap<>(config).entrySet()) {
            final Matcher m = KEY_PROPERTY.matcher(entry.getKey());
            if (!m.matches()) {
                if (entry.getKey().startsWith(PREFIX + "keys.")) {
                    throw new IllegalArgumentException(entry.getKey() + ": expected " + PREFIX
                            + "keys.<keyId>.file or .previous-files");
                }
                continue;
            }
            final String keyId = m.group(1);
            try {
                CustomerKeyring.requireValidKeyId(keyId);
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(entry.getKey() + ": " + e.getMessage());
            }
            final String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (m.group(2).equals("file")) {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(entry.getKey() + " must name a file");
                }
                current.put(keyId, new KeyFile(entry.getKey(), Path.of(value)));
            } else {
                final List<KeyFile> older = files.computeIfAbsent(keyId, k -> new ArrayList<>());
                for (final String path : value.split(",")) {
                    if (!path.isBlank()) {
                        older.add(new KeyFile(entry.getKey(), Path.of(path.trim())));
                    }
                }
            }
        }
        for (final String keyId : files.keySet()) {
            if (!current.containsKey(keyId)) {
                throw new IllegalArgumentException(PREFIX + "keys." + keyId + ".previous-files needs "
                        + PREFIX + "keys." + keyId + ".file (the current key)");
            }
        }
        current.forEach((keyId, file) -> files.computeIfAbsent(keyId, k -> new ArrayList<>()).add(file));
        return new CustomerKeyConfig(FingerprintKey.fromEnvironment(env), files);
    }
}
