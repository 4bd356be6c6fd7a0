package io.sealstream.cli;

import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sealstream decrypt}: to a file, the output appears only after the whole object authenticated. To stdout,
 * authenticated segments stream out as they verify, and a later failure still exits non-zero.
 */
@Command(name = "decrypt", description = "Decrypt a sealstream object; the output file appears only if all of it authenticated.")
final class DecryptCommand extends IoAware implements Callable<Integer> {

    @Mixin
    KeyStoreOption keyStore;
    @Mixin
    ContextOptions context;
    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Ciphertext input, or - for stdin.")
    String in;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Plaintext output, or - for stdout.")
    String out;

    @Override
    public Integer call() throws IOException {
        try (LocalKeyStoreKms kms = keyStore.open(io.environment(), false);
             InputStream source = StreamTarget.open(in, io);
             StreamTarget.Output target = StreamTarget.create(out, io)) {
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);
            try (DecryptingInputStream plain = envelope.decryptingStream(source, context.given() ? context.context() : null)) {
                plain.transferTo(target);
                if (!context.given() && plain.header().storedContext().isPresent()) {
                    // The stored context authenticated, but nobody asked for it: say which object this was.
                    io.stderr().println("decrypted with the context stored in the object: "
                            + SealstreamCli.printable(plain.header().storedContext().get().toString()));
                }
            }
            target.commit();
        }
        return 0;
    }
}
