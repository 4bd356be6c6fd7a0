package io.sealstream.dev;

import io.sealstream.cli.CliExtension;
import java.util.List;

/** The developer distribution's commands: the embedded demo and the local stack. */
public final class DevCommands implements CliExtension {

    @Override
    public List<Class<?>> subcommands() {
        return List.of(DemoCommand.class, EnvelopeDemoCommand.class, StackCommand.class);
    }
}
