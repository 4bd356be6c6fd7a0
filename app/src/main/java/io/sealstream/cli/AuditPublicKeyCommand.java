package io.sealstream.cli;

import io.sealstream.app.SealstreamRuntime;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyManagementServiceDecorator;
import io.sealstream.kms.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sealstream audit public-key --config FILE [--out FILE]}: the public key of the chainer's checkpoint signing key
 * ({@code sealstream.audit.signing-key}), PEM, for auditors' {@code audit verify --public-key}. The private key stays
 * in the KMS.
 */
@Command(name = "public-key", description = "Print the audit checkpoint signing key's public key (PEM), for "
        + "'audit verify --public-key'.")
final class AuditPublicKeyCommand extends IoAware implements Callable<Integer> {

    @Mixin
    ServiceOptions service;
    @Option(names = "--key-version", paramLabel = "VERSION", description = "A version of the signing key other than "
            + "the current one (checkpoints name the version that signed them).")
    String version;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the PEM to FILE instead of stdout.")
    Path out;

    @Override
    public Integer call() throws Exception {
        final Map<String, String> environment = service.environment(io);
        try (SealstreamRuntime tools = SealstreamRuntime.forTool(service.settings(environment), environment,
                service.actor(environment), "audit-public-key")) {
            final SigningKeys keys = KeyManagementServiceDecorator.findRole(tools.kms(), SigningKeys.class)
                    .orElseThrow(() -> new CliFailure("KMS provider '" + tools.kms().providerName() + "' holds no "
                            + "signing keys: audit checkpoints are not signed", SealstreamCli.EXIT_KEY_ERROR));
            final String keyId = tools.pipeline().checkpoints().signingKey();
            final KekRef ref = version == null ? keys.currentSigningKey(keyId)
                    : new KekRef(tools.kms().providerName(), keyId, version);
            final String pem = "# sealstream audit checkpoint signing key " + ref + "\n"
                    + PublicKeyFiles.pem(keys.publicKey(ref));
            if (out == null) {
                io.stdout().print(pem);
            } else {
                Files.writeString(out, pem, StandardCharsets.US_ASCII);
                io.stderr().println("sealstream: public key of " + ref + " written to " + out);
            }
        }
        return 0;
    }
}
