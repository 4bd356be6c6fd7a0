package io.sealstream.kms.vault;

import io.sealstream.kms.KmsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The Vault token: fixed (environment {@value #TOKEN_ENV}) or read from a file (named by {@value #TOKEN_FILE_ENV}),
 * which is read again whenever its modification time changes, so a Vault Agent auto-auth sink that renews the token
 * in place is picked up without a restart. {@link #toString()} never shows the token; nothing here logs it.
 */
public final class VaultToken {

    /** Environment variable holding the token itself (the Vault CLI's convention). */
    public static final String TOKEN_ENV = "VAULT_TOKEN";
    /** Environment variable naming a file that holds the token (one trailing newline ignored). */
    public static final String TOKEN_FILE_ENV = "SEALSTREAM_VAULT_TOKEN_FILE";

    private final String fixed;
    private final Path file;
    private volatile String fromFile;
    private volatile FileTime fileTime;

    private VaultToken(final String fixed, final Path file) {
        this.fixed = fixed;
        this.file = file;
    }

    public static VaultToken of(final String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new KmsException("Vault token must not be blank");
        }
        return new VaultToken(token.trim(), null);
    }

    /** A token file, read now (so a missing file fails at start) and again when it changes. */
    public static VaultToken fromFile(final Path file) {
        final VaultToken token = new VaultToken(null, Objects.requireNonNull(file, "file"));
        token.value();
        return token;
    }

    /** From {@value #TOKEN_ENV}, else the file named by {@value #TOKEN_FILE_ENV}. */
    public static VaultToken fromEnvironment(final Map<String, String> env) {
        final String direct = env.get(TOKEN_ENV);
        if (direct != null && !direct.isBlank()) {
            return of(direct);
        }
        final String file = env.get(TOKEN_FILE_ENV);
        if (file == null || file.isBlank()) {
            throw new KmsException("no Vault token: set " + TOKEN_ENV + ", or " + TOKEN_FILE_ENV + " to a file holding it");
        }
        return fromFile(Path.of(file.trim()));
    }

    /** The current token. */
    String value() {
        if (fixed != null) {
            return fixed;
        }
        try {
            final FileTime modified = Files.getLastModifiedTime(file);
            if (fromFile == null || !modified.equals(fileTime)) {
                synchronized (this) {
                    if (fromFile == null || !modified.equals(fileTime)) {
                        final byte[] bytes = Files.readAllBytes(file);
                        final String token = new String(bytes, StandardCharsets.UTF_8).trim();
                        Arrays.fill(bytes, (byte) 0);
                        if (token.isEmpty()) {
                            throw new KmsException("the Vault token file named by " + TOKEN_FILE_ENV + " is empty");
                        }
                        fromFile = token;
                        fileTime = modified;
                    }
                }
            }
            return fromFile;
        } catch (final IOException e) {
            if (fromFile != null) {
                return fromFile; // being replaced right now: keep using the last token
            }
            throw new KmsException("cannot read the Vault token file named by " + TOKEN_FILE_ENV + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Replaces every occurrence of the current token in {@code text} (server messages are echoed in errors). */
    String redact(final String text) {
        final String token = fixed != null ? fixed : fromFile;
        return text == null || token == null || token.isEmpty() ? text : text.replace(token, "<redacted>");
    }

    @Override
    public String toString() {
        return fixed != null ? "VaultToken[<redacted>]" : "VaultToken[file=" + file + "]";
    }
}
