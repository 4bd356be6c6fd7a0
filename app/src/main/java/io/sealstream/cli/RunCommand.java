package io.sealstream.cli;

import io.sealstream.app.SealstreamApp;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.config.EnvFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sealstream run --config FILE}: runs the pipeline until stopped (SIGTERM or Ctrl-C close it cleanly: the
 * current transaction commits or aborts, nothing is lost either way). Exit code 1 if it stops on an error.
 */
@Command(name = "run", description = "Run the pipeline with a properties file (Kafka Streams, schema registry, "
        + "store and sealstream.* keys); environment variables override it.")
final class RunCommand extends IoAware implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Properties file.")
    Path config;
    @Option(names = "--env-file", paramLabel = "FILE", description = "NAME=value lines applied like environment "
            + "variables (e.g. DIR/stack.env from 'sealstream stack up'); the real environment wins.")
    Path envFile;

    @Override
    public Integer call() throws Exception {
        LogLevels.setUnlessChosen("io.sealstream", "INFO");
        warnAboutLogFormat(io);
        final Map<String, String> environment = new java.util.HashMap<>();
        if (envFile != null) {
            environment.putAll(EnvFile.parse(envFile));
        }
        environment.putAll(io.environment());
        final Map<String, String> settings;
        try {
            settings = SealstreamConfig.load(config, environment);
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new CliFailure("no such config file: " + config, SealstreamCli.EXIT_USAGE);
        }
        if (!settings.containsKey("bootstrap.servers")) {
            throw new CliFailure("bootstrap.servers is not set (in " + config + " or $KAFKA_BOOTSTRAP_SERVERS)",
                    SealstreamCli.EXIT_USAGE);
        }
        if (!settings.containsKey("schema.registry.url")) {
            throw new CliFailure("schema.registry.url is not set (in " + config + " or $SCHEMA_REGISTRY_URL)",
                    SealstreamCli.EXIT_USAGE);
        }
        final SealstreamApp app = SealstreamApp.start(settings, environment);
        final Thread hook = new Thread(app::close, "sealstream-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGTERM and Ctrl-C stop the pipeline the way a supervisor expects: a clean close, then exit 0 (the JVM's
        // default handler would run the hook and exit 143, which supervisors count as a failure).
        final Thread stopper = new Thread(app::close, "sealstream-stop");
        final AtomicBoolean stopping = new AtomicBoolean();
        for (final String signal : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                    if (stopping.compareAndSet(false, true)) {
                        stopper.start();
                    }
                });
            } catch (final IllegalArgumentException unavailable) {
                // the signal is reserved here (e.g. -Xrs): the shutdown hook still closes the pipeline
            }
        }
        io.stderr().println("sealstream: running " + app.pipeline().service() + "; input " + app.pipeline().topics().uploads()
                + ", store " + app.store().describe() + " (Ctrl-C to stop)");
        final boolean failed = app.awaitStop();
        if (stopping.get()) {
            stopper.join();
            Runtime.getRuntime().removeShutdownHook(hook);
            io.stderr().println("sealstream: stopped cleanly on a signal");
        } else {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                app.close();
            } catch (final IllegalStateException shuttingDown) {
                // The JVM is already shutting down and the hook closes the app.
            }
        }
        if (failed) {
            throw new CliFailure("the pipeline stopped on an error (see the log above)", SealstreamCli.EXIT_FAILURE);
        }
        return 0;
    }

    /** SEALSTREAM_LOG_FORMAT selects the log format (logback.xml); a value it does not know would silence the log. */
    private static void warnAboutLogFormat(final SealstreamCli.Io io) {
        final String format = System.getProperty("sealstream.log.format",
                io.environment().getOrDefault("SEALSTREAM_LOG_FORMAT", "text"));
        if (!format.equals("text") && !format.equals("json")) {
            io.stderr().println("sealstream: SEALSTREAM_LOG_FORMAT=" + SealstreamCli.printable(format)
                    + " is neither text nor json: the log is empty");
        }
    }
}
