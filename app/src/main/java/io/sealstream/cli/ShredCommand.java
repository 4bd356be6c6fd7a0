package io.sealstream.cli;

import io.sealstream.app.SealstreamRuntime;
import io.sealstream.keys.KeyLifecycle;
import io.sealstream.store.ObjectLocation;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sealstream shred dek|kek|object ...}: crypto-shredding. Irreversible; every command asks for {@code --yes}.
 * What remains afterwards (object headers, wrapped keys under destroyed versions) is in docs/OPERATIONS.md.
 */
@Command(name = "shred", description = "Crypto-shred a data key, a KEK or one object's key: irreversible.",
        subcommands = {ShredCommand.Dek.class, ShredCommand.Kek.class, ShredCommand.ObjectKey.class})
final class ShredCommand {

    abstract static class ShredBase extends IoAware implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Option(names = "--yes", description = "Confirm: what it protects can never be decrypted again.")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                throw new CliFailure("shredding is irreversible: add --yes to confirm", SealstreamCli.EXIT_USAGE);
            }
            final Map<String, String> environment = service.environment(io);
            final Map<String, String> settings = service.settings(environment);
            try (SealstreamRuntime tools = SealstreamRuntime.forTool(settings, environment, service.actor(environment), "shred")) {
                final KeyLifecycle.Shred result = shred(tools);
                final PrintStream out = io.stdout();
                out.println("shredded " + result.shreddedDeks().size() + " data key(s): " + abbreviate(result));
                if (!result.rewrappedDeks().isEmpty()) {
                    out.println("re-wrapped " + result.rewrappedDeks().size() + " other data key(s) off the destroyed versions");
                }
                out.println("destroyed KEK versions: " + (result.destroyedVersions().isEmpty() ? "none" : result.destroyedVersions()));
                if (result.incomplete().isPresent()) {
                    throw new CliFailure(result.incomplete().get(), SealstreamCli.EXIT_KEY_ERROR);
                }
                return 0;
            }
        }

        abstract KeyLifecycle.Shred shred(SealstreamRuntime tools);

        private static String abbreviate(final KeyLifecycle.Shred result) {
            final var ids = result.shreddedDeks();
            return ids.size() <= 5 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 5)) + ", ...";
        }
    }

    @Command(name = "dek", description = "Shred one data key: every object encrypted with it becomes undecryptable.")
    static final class Dek extends ShredBase {
        @Parameters(index = "0", paramLabel = "DEK_ID")
        String dekId;
        @Option(names = "--force", description = "Shred even if a pipeline may still encrypt with it (objects it writes later are lost too).")
        boolean force;

        @Override
        KeyLifecycle.Shred shred(final SealstreamRuntime tools) {
            return tools.lifecycle().shredDek(dekId, force);
        }
    }

    @Command(name = "kek", description = "Shred a KEK with all its versions and every data key under it (e.g. a tenant leaving).")
    static final class Kek extends ShredBase {
        @Parameters(index = "0", paramLabel = "KEK_ID")
        String kekId;

        @Override
        KeyLifecycle.Shred shred(final SealstreamRuntime tools) {
            return tools.lifecycle().shredKek(kekId);
        }
    }

    @Command(name = "object", description = "Shred one object's key: re-encrypts the other objects sharing its data key "
            + "under a new one, then shreds that data key.")
    static final class ObjectKey extends ShredBase {
        @Parameters(index = "0", paramLabel = "LOCATION", description = "s3://<store bucket>/<tenant>/<bucket>/<object key>")
        String location;
        @Option(names = "--force", description = "Shred even if a pipeline may still encrypt with its data key.")
        boolean force;

        @Override
        KeyLifecycle.Shred shred(final SealstreamRuntime tools) {
            return tools.objectShredder().shred(ObjectLocation.parse(location), force);
        }
    }
}
