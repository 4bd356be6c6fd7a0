package io.sealstream.cli;

/** A command that reads stdin, writes stdout/stderr or reads the environment through an injected {@link SealstreamCli.Io}. */
interface IoAware {
    void io(SealstreamCli.Io io);
}
