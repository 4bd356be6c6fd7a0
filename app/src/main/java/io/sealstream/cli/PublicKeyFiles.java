package io.sealstream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Public keys as PEM files ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo), as openssl writes them. */
final class PublicKeyFiles {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PublicKeyFiles() {
    }

    static String pem(final PublicKey key) {
        return BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n" + END + "\n";
    }

    /** Reads an Ed25519 public key; a {@link CliFailure} (usage) for anything else. */
    static PublicKey read(final Path file) throws CliFailure {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (final IOException e) {
            throw new CliFailure("--public-key: cannot read " + file + ": " + e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        final int begin = text.indexOf(BEGIN);
        final int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new CliFailure("--public-key: " + file + " is not a PEM public key (" + BEGIN + ")",
                    SealstreamCli.EXIT_USAGE);
        }
        try {
            final byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            throw new CliFailure("--public-key: " + file + " is not an Ed25519 public key", SealstreamCli.EXIT_USAGE);
        }
    }
}
