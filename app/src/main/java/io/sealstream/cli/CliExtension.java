package io.sealstream.cli;

import java.util.List;

/**
 * More subcommands for the {@code sealstream} command line, found with {@link java.util.ServiceLoader}: how the
 * developer distribution adds {@code demo} and {@code stack} (which need the embedded broker and the local stack's
 * launchers) to the runtime's commands, without the runtime jar carrying any of it.
 */
public interface CliExtension {

    /** picocli command classes, instantiated through the CLI's factory (an {@link IoAware} gets the CLI's I/O). */
    List<Class<?>> subcommands();
}
