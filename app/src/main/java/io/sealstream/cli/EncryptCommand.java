package io.sealstream.cli;

import io.sealstream.envelope.EncryptingOutputStream;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.envelope.Preset;
import io.sealstream.kms.local.LocalKeyStoreKms;
import io.sealstream.store.NonClosingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sealstream encrypt}: one object, streaming, under a fresh data key wrapped by the named KEK. */
@Command(name = "encrypt", description = "Encrypt a file or stdin into a sealstream object.")
final class EncryptCommand extends IoAware implements Callable<Integer> {

    @Mixin
    KeyStoreOption keyStore;
    @Mixin
    ContextOptions context;
    @Option(names = "--key-id", required = true, paramLabel = "ID", description = "The KEK that wraps the object's data key.")
    String keyId;
    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Plaintext input, or - for stdin.")
    String in;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Ciphertext output, or - for stdout.")
    String out;
    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "AES256_GCM_HKDF_SHA256_64KB",
            description = "Format preset (segment size): ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Preset preset;
    @Option(names = "--store-context", description = "Also store the context in the header, so decrypt needs no --context.")
    boolean storeContext;

    @Override
    public Integer call() throws IOException {
        try (LocalKeyStoreKms kms = keyStore.open(io.environment(), false);
             InputStream source = StreamTarget.open(in, io);
             StreamTarget.Output target = StreamTarget.create(out, io)) {
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms, preset, storeContext);
            final EncryptingOutputStream sealed = envelope.encryptingStream(nonClosing(target), keyId, context.context());
            source.transferTo(sealed);
            sealed.close();
            target.commit();
            if (!"-".equals(out)) {
                io.stderr().println("encrypted " + sealed.plaintextBytes() + " bytes into " + sealed.ciphertextBytes()
                        + " bytes; dek " + sealed.wrappedDataKey().dekId() + " under " + sealed.wrappedDataKey().kek());
            }
        }
        return 0;
    }

    /** The envelope closes its sink on close; the commit decides what happens to the target. */
    static OutputStream nonClosing(final OutputStream out) {
        return new NonClosingOutputStream(out);
    }
}
