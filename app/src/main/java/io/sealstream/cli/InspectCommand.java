package io.sealstream.cli;

import io.sealstream.envelope.EnvelopeDecryptor;
import io.sealstream.envelope.EnvelopeHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sealstream inspect}: prints an object's header (no key needed; nothing is decrypted or authenticated). */
@Command(name = "inspect", description = "Print a sealstream object's header: format, KEK reference, DEK id (unauthenticated).")
final class InspectCommand extends IoAware implements Callable<Integer> {

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Object file, or - for stdin.")
    String in;

    @Override
    public Integer call() throws IOException {
        try (InputStream source = StreamTarget.open(in, io)) {
            final EnvelopeHeader h = EnvelopeDecryptor.readHeader(source);
            final PrintStream out = io.stdout();
            out.println("format-version: " + h.formatVersion());
            out.println("suite: " + h.suite());
            out.println("segment-size: " + h.segmentSize());
            out.println("kek: " + h.wrappedDataKey().kek());
            out.println("dek-id: " + h.wrappedDataKey().dekId());
            out.println("wrapped-dek-bytes: " + h.wrappedDataKey().ciphertextLength());
            out.println("header-bytes: " + h.length());
            out.println("stored-context: " + h.storedContext().map(c -> SealstreamCli.printable(c.toString())).orElse("(not stored)"));
        }
        return 0;
    }
}
