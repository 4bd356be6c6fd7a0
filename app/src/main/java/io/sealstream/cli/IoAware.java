package io.sealstream.cli;

/**
 * A command that reads stdin, writes stdout/stderr or reads the environment through the {@link SealstreamCli.Io}
 * the factory injects, never through {@code System} directly, so tests can drive it in-process.
 */
public abstract class IoAware {

    /** Set by the CLI's factory before the command runs. */
    protected SealstreamCli.Io io;

    final void io(final SealstreamCli.Io value) {
        this.io = value;
    }
}
