package io.sealstream.kms.local;

import static io.sealstream.kms.local.LocalKeyStoreKms.PASSPHRASE_ENV;
import static io.sealstream.kms.local.LocalKeyStoreKms.PASSPHRASE_FILE_ENV;

import io.sealstream.kms.KmsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Reads the key store passphrase from the environment or a passphrase file, leaving no decoded copies behind. */
final class KeyStorePassphrase {

    private KeyStorePassphrase() {
    }

    /** The passphrase from {@code PASSPHRASE_ENV} or the file named by {@code PASSPHRASE_FILE_ENV}; the caller zeroes it. */
    static char[] fromEnvironment(final Map<String, String> environment) {
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
}
