package io.sealstream.cli;

import io.sealstream.kms.local.LocalKeyStoreKms;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --keystore PATH}: the local provider's PKCS#12 key store; its passphrase comes from the environment only. */
final class KeyStoreOption {

    @Option(names = "--keystore", required = true, paramLabel = "PATH",
            description = "PKCS#12 key store of the 'local' KMS. Passphrase from $" + LocalKeyStoreKms.PASSPHRASE_ENV
                    + " or the file named by $" + LocalKeyStoreKms.PASSPHRASE_FILE_ENV + ".")
    Path path;

    /** Opens an existing key store; only {@code keys create} may create one. */
    LocalKeyStoreKms open(final Map<String, String> environment, final boolean mayCreate) {
        if (!mayCreate && !java.nio.file.Files.exists(path)) {
            throw new CliFailure("no key store at " + path + " (create one with 'sealstream keys create')",
                    SealstreamCli.EXIT_KEY_ERROR);
        }
        return LocalKeyStoreKms.openFromEnvironment(path, environment);
    }
}
