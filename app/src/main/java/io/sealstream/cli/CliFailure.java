package io.sealstream.cli;

import io.sealstream.envelope.EnvelopeAuthenticationException;
import io.sealstream.envelope.EnvelopeException;
import io.sealstream.envelope.EnvelopeKeyException;
import io.sealstream.envelope.MalformedEnvelopeException;
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
        if (e instanceof EnvelopeKeyException || e instanceof KmsException) {
            return new CliFailure(e.getMessage(), SealstreamCli.EXIT_KEY_ERROR);
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
