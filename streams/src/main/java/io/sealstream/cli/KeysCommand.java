package io.sealstream.cli;

import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sealstream keys create|rotate|list}: KEK administration on the local key store. */
@Command(name = "keys", description = "Create, rotate and list key-encryption keys (KEKs).",
        subcommands = {KeysCommand.Create.class, KeysCommand.Rotate.class, KeysCommand.ListKeys.class})
final class KeysCommand {

    static String describe(final KeyDescription d) {
        return d.keyId() + "\tcurrent=" + d.currentVersion() + "\tversions=" + String.join(",", d.versions())
                + "\tprovider=" + d.provider();
    }

    abstract static class KeyCommand extends IoAware implements Runnable {
        @Mixin
        KeyStoreOption keyStore;

        @Override
        public void run() {
            try (LocalKeyStoreKms kms = keyStore.open(io.environment(), this instanceof Create)) {
                run(kms, io.stdout());
            }
        }

        abstract void run(LocalKeyStoreKms kms, PrintStream out);
    }

    @Command(name = "create", description = "Create a KEK with its first version (the key store file is created if missing).")
    static final class Create extends KeyCommand {
        @Option(names = "--key-id", required = true, paramLabel = "ID", description = "KEK id: letters, digits, '.', '_', '-'.")
        String keyId;

        @Override
        void run(final LocalKeyStoreKms kms, final PrintStream out) {
            out.println("created " + describe(kms.createKey(keyId)));
        }
    }

    @Command(name = "rotate", description = "Add a new KEK version; new data keys are wrapped under it, older versions still unwrap.")
    static final class Rotate extends KeyCommand {
        @Option(names = "--key-id", required = true, paramLabel = "ID")
        String keyId;

        @Override
        void run(final LocalKeyStoreKms kms, final PrintStream out) {
            out.println("rotated " + describe(kms.rotateKey(keyId)));
        }
    }

    @Command(name = "list", description = "List the KEKs and their versions (never key material).")
    static final class ListKeys extends KeyCommand {
        @Override
        void run(final LocalKeyStoreKms kms, final PrintStream out) {
            final List<KeyDescription> keys = kms.listKeys();
            for (final KeyDescription d : keys) {
                out.println(describe(d));
            }
        }
    }
}
