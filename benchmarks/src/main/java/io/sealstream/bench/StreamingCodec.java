package io.sealstream.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A contender with stream wrappers; closing the encrypting stream finishes the ciphertext and closes the sink. */
interface StreamingCodec {

    OutputStream encryptingStream(OutputStream sink) throws Exception;

    InputStream decryptingStream(InputStream ciphertext) throws Exception;

    /** Encrypts {@code plaintext} into a new array. */
    static byte[] encrypt(final StreamingCodec codec, final byte[] plaintext) throws Exception {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream(plaintext.length + 4096);
        try (OutputStream encrypting = codec.encryptingStream(sink)) {
            encrypting.write(plaintext);
        }
        return sink.toByteArray();
    }

    /** Decrypts {@code ciphertext} into a new array. */
    static byte[] decrypt(final StreamingCodec codec, final byte[] ciphertext) throws Exception {
        try (InputStream decrypting = codec.decryptingStream(new ByteArrayInputStream(ciphertext))) {
            return decrypting.readAllBytes();
        }
    }

    /** Reads {@code in} to its end through {@code buffer}; returns the byte count. */
    static long drain(final InputStream in, final byte[] buffer) throws IOException {
        long total = 0;
        for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
            total += n;
        }
        return total;
    }
}
