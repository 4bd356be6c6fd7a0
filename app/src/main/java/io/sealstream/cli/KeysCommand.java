package io.sealstream.cli;

import io.sealstream.app.SealstreamRuntime;
import io.sealstream.keys.KeyLifecycle;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.local.LocalKeyStoreKms;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sealstream keys create|rotate|list|destroy-version|status}: KEK administration. {@code create} and {@code list}
 * work on the local key store; {@code rotate} too, or, with {@code --config}, on the pipeline's KMS with the full key
 * lifecycle (KEK_ROTATED, then every registered DEK re-wrapped); {@code destroy-version} and {@code status} need
 * {@code --config}.
 */
@Command(name = "keys", description = "Create, rotate and list key-encryption keys (KEKs).",
        subcommands = {KeysCommand.Create.class, KeysCommand.Rotate.class, KeysCommand.ListKeys.class,
                KeysCommand.DestroyVersion.class, KeysCommand.Status.class})
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

    @Command(name = "rotate", description = "Add a new KEK version; new data keys are wrapped under it, older versions "
            + "still unwrap. With --config: also re-wrap every registered data key under it (a resumable job).")
    static final class Rotate extends IoAware implements Runnable {
        @Option(names = "--key-id", required = true, paramLabel = "ID")
        String keyId;
        @Option(names = "--keystore", paramLabel = "PATH", description = "Rotate in this local key store only (no re-wrap).")
        java.nio.file.Path keystore;
        @Option(names = "--config", paramLabel = "FILE", description = "The pipeline's properties file: rotate at its KMS and re-wrap.")
        java.nio.file.Path config;
        @Option(names = "--env-file", paramLabel = "FILE")
        java.nio.file.Path envFile;
        @Option(names = "--actor", paramLabel = "NAME")
        String actor;

        @Override
        public void run() {
            if ((keystore == null) == (config == null)) {
                throw new CliFailure("give exactly one of --keystore and --config", SealstreamCli.EXIT_USAGE);
            }
            if (keystore != null) {
                final KeyStoreOption option = new KeyStoreOption();
                option.path = keystore;
                try (LocalKeyStoreKms kms = option.open(io.environment(), false)) {
                    io.stdout().println("rotated " + describe(kms.rotateKey(keyId)));
                }
                return;
            }
            final ServiceOptions service = new ServiceOptions();
            service.config = config;
            service.envFile = envFile;
            service.actor = actor;
            final java.util.Map<String, String> environment = service.environment(io);
            try (SealstreamRuntime tools = SealstreamRuntime.forTool(service.settings(environment), environment,
                    service.actor(environment), "keys")) {
                final KeyLifecycle.Rotation rotation = tools.lifecycle().rotateKek(keyId);
                io.stdout().println("rotated " + rotation.previous() + " -> " + rotation.current());
                io.stdout().println("re-wrap job " + rotation.rewrap().getJob().getJobId() + " "
                        + rotation.rewrap().getStatus() + ": " + rotation.rewrap().getDeksRewrapped()
                        + " data keys re-wrapped of " + rotation.rewrap().getDeksScanned() + " scanned");
                io.stdout().println("when no pipeline writes under " + rotation.previous() + " any more, it can be destroyed: "
                        + "sealstream keys destroy-version --config " + config + " --key-id " + keyId + " --version "
                        + rotation.previous().version());
            }
        }
    }

    @Command(name = "list", description = "List the KEKs and their versions (never key material).")
    static final class ListKeys extends KeyCommand {
        @Option(names = "--json", description = "Print one JSON array (keyId, provider, currentVersion, versions, created).")
        boolean json;

        @Override
        void run(final LocalKeyStoreKms kms, final PrintStream out) {
            final List<KeyDescription> keys = kms.listKeys();
            if (json) {
                final com.fasterxml.jackson.databind.node.ArrayNode array = JsonOutput.array();
                keys.forEach(d -> array.add(JsonOutput.key(d)));
                out.println(array);
                return;
            }
            for (final KeyDescription d : keys) {
                out.println(describe(d));
            }
        }
    }

    @Command(name = "destroy-version", description = "Destroy an old KEK version at the KMS, once no registered data key "
            + "is wrapped only under it. Irreversible.")
    static final class DestroyVersion extends IoAware implements Runnable {
        @Mixin
        ServiceOptions service;
        @Option(names = "--key-id", required = true, paramLabel = "ID")
        String keyId;
        @Option(names = "--version", required = true, paramLabel = "VERSION")
        String version;
        @Option(names = "--yes", description = "Confirm: objects whose data key is not in the registry lose their only key.")
        boolean yes;

        @Override
        public void run() {
            if (!yes) {
                throw new CliFailure("destroying a KEK version is irreversible: add --yes to confirm", SealstreamCli.EXIT_USAGE);
            }
            final java.util.Map<String, String> environment = service.environment(io);
            try (SealstreamRuntime tools = SealstreamRuntime.forTool(service.settings(environment), environment,
                    service.actor(environment), "keys")) {
                tools.lifecycle().destroyKekVersion(keyId, version);
                io.stdout().println("destroyed " + keyId + "@" + version);
            }
        }
    }

    @Command(name = "status", description = "The KEKs at the KMS and how many registered data keys each version wraps.")
    static final class Status extends IoAware implements Runnable {
        @Mixin
        ServiceOptions service;
        @Option(names = "--json", description = "Print one JSON array: each KEK as keys list --json shows it, with "
                + "dataKeys, the registered data keys per version.")
        boolean json;

        @Override
        public void run() {
            final java.util.Map<String, String> environment = service.environment(io);
            try (SealstreamRuntime tools = SealstreamRuntime.forTool(service.settings(environment), environment,
                    service.actor(environment), "keys")) {
                final java.util.Map<io.sealstream.kms.KekRef, Long> counts = tools.lifecycle().dekCountsByVersion();
                if (json) {
                    final com.fasterxml.jackson.databind.node.ArrayNode array = JsonOutput.array();
                    for (final KeyDescription d : tools.kms().listKeys()) {
                        final com.fasterxml.jackson.databind.node.ObjectNode node = JsonOutput.key(d);
                        final com.fasterxml.jackson.databind.node.ObjectNode perVersion = node.putObject("dataKeys");
                        d.versions().forEach(v -> perVersion.put(v, counts.getOrDefault(
                                new io.sealstream.kms.KekRef(d.provider(), d.keyId(), v), 0L)));
                        array.add(node);
                    }
                    io.stdout().println(array);
                    return;
                }
                for (final KeyDescription d : tools.kms().listKeys()) {
                    final StringBuilder line = new StringBuilder(describe(d)).append("\tdata keys:");
                    for (final String v : d.versions()) {
                        line.append(' ').append(v).append('=')
                                .append(counts.getOrDefault(new io.sealstream.kms.KekRef(d.provider(), d.keyId(), v), 0L));
                    }
                    io.stdout().println(line);
                }
            }
        }
    }
}
