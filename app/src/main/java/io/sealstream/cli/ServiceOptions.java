package io.sealstream.cli;

import io.sealstream.app.SealstreamConfig;
import io.sealstream.config.EnvFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE [--env-file FILE] [--actor NAME]}: the pipeline's own configuration, for commands that work
 * with its Kafka topics (DEK registry, audit trail), KMS and store. {@code --actor} names who acts in audit events.
 */
final class ServiceOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The pipeline's properties file (Kafka, schema registry, KMS and store settings).")
    Path config;
    @Option(names = "--env-file", paramLabel = "FILE", description = "NAME=value lines applied like environment "
            + "variables (e.g. DIR/stack.env from 'sealstream stack up'); the real environment wins.")
    Path envFile;
    @Option(names = "--actor", paramLabel = "NAME", description = "Who is acting, for the audit trail "
            + "(default: $SEALSTREAM_ACTOR, else the OS user).")
    String actor;

    /** The environment: the env file's entries under the real environment. */
    Map<String, String> environment(final SealstreamCli.Io io) {
        final Map<String, String> environment = new HashMap<>();
        if (envFile != null) {
            try {
                environment.putAll(EnvFile.parse(envFile));
            } catch (final IOException e) {
                throw new CliFailure("cannot read env file " + envFile + ": " + e.getMessage(), SealstreamCli.EXIT_USAGE);
            }
        }
        environment.putAll(io.environment());
        return environment;
    }

    /** The settings, checked to name a broker and a registry. */
    Map<String, String> settings(final Map<String, String> environment) {
        final Map<String, String> settings;
        try {
            settings = SealstreamConfig.load(config, environment);
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new CliFailure("no such config file: " + config, SealstreamCli.EXIT_USAGE);
        } catch (final IOException e) {
            throw new CliFailure("cannot read config file " + config + ": " + e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        if (!settings.containsKey("bootstrap.servers")) {
            throw new CliFailure("bootstrap.servers is not set (in " + config + " or $KAFKA_BOOTSTRAP_SERVERS)",
                    SealstreamCli.EXIT_USAGE);
        }
        if (!settings.containsKey("schema.registry.url")) {
            throw new CliFailure("schema.registry.url is not set (in " + config + " or $SCHEMA_REGISTRY_URL)",
                    SealstreamCli.EXIT_USAGE);
        }
        return settings;
    }

    String actor(final Map<String, String> environment) {
        if (actor != null && !actor.isBlank()) {
            return actor.strip();
        }
        final String fromEnv = environment.get("SEALSTREAM_ACTOR");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : System.getProperty("user.name", "unknown");
    }
}
