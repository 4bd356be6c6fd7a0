package io.sealstream.cli;

import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.envelope.EnvelopeKeyException;
import io.sealstream.envelope.MalformedEnvelopeException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/** Maps any failure to one line and an exit code. Messages come from our own exceptions, which carry no secrets. */
public final class CliFailure extends RuntimeException {

    private final int exitCode;

    public CliFailure(final String message, final int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    private static boolean causedBy(final Throwable e, final Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static CliFailure from(final Throwable t) {
        Throwable e = t;
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof CliFailure f) {
            return f;
        }
        if (e instanceof EnvelopeAuthenticationException || e instanceof MalformedEnvelopeException) {
            return new CliFailure("decryption failed: " + e.getMessage(), SealstreamCli.EXIT_REJECTED);
        }
        // The header's wrapped data key is part of the object: one the KMS refuses as not its own ciphertext was
        // tampered with (or belongs to another key), so the object is rejected (3), like any other tampering.
        if ((e instanceof EnvelopeKeyException || e instanceof KmsException) && causedBy(e, KeyUnwrapException.class)) {
            return new CliFailure("decryption failed: " + e.getMessage(), SealstreamCli.EXIT_REJECTED);
        }
        // The key is unavailable (shredded, unknown or destroyed KEK or version, KMS down or refusing): 4.
        if (e instanceof EnvelopeKeyException || e instanceof KmsException) {
            return new CliFailure(e.getMessage(), SealstreamCli.EXIT_KEY_ERROR);
        }
        // Reading the ciphertext failed (a disk, a connection): nothing was decided about the object, so 1, not 3.
        if (e instanceof EnvelopeException && e.getCause() instanceof IOException) {
            return new CliFailure("I/O error: " + e.getMessage(), SealstreamCli.EXIT_FAILURE);
        }
        if (e instanceof EnvelopeException) {
            return new CliFailure("cannot decrypt: " + e.getMessage(), SealstreamCli.EXIT_REJECTED);
        }
        if (e instanceof NoSuchFileException n) {
            return new CliFailure("no such file: " + n.getFile(), SealstreamCli.EXIT_FAILURE);
        }
        if (e instanceof AccessDeniedException a) {
            return new CliFailure("permission denied: " + a.getFile(), SealstreamCli.EXIT_FAILURE);
        }
        if (e instanceof FileAlreadyExistsException f) {
            return new CliFailure("file exists: " + f.getFile(), SealstreamCli.EXIT_FAILURE);
        }
        if (e instanceof IOException) {
            return new CliFailure("I/O error: " + e.getMessage(), SealstreamCli.EXIT_FAILURE);
        }
        if (e instanceof IllegalArgumentException) {
            return new CliFailure(e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        if (e instanceof IllegalStateException && e.getMessage() != null) {
            return new CliFailure(e.getMessage(), SealstreamCli.EXIT_FAILURE);
        }
        // A bug, not a user error: still one line, naming the exception type but not dumping state.
        return new CliFailure("internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage(),
                SealstreamCli.EXIT_FAILURE);
    }
}
