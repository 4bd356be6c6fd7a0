package io.sealstream.cli;

/**
 * A command that reads stdin, writes stdout/stderr or reads the environment through the {@link SealstreamCli.Io}
 * the factory injects, never through {@code System} directly, so tests can drive it in-process.
 */
abstract class IoAware {

    SealstreamCli.Io io;

    final void io(final SealstreamCli.Io value) {
        this.io = value;
    }
}
