package io.sealstream.cli;

import io.sealstream.app.Background;
import io.sealstream.app.SealstreamRuntime;
import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.gateway.GatewayConfig;
import io.sealstream.gateway.GatewayConfigKeys;
import io.sealstream.gateway.S3Gateway;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.reader.AuditedObjectReader;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sealstream gateway --config FILE}: serves the plaintext view of what the pipeline wrote over the S3 API
 * (GetObject with Range, HeadObject, ListObjectsV2), read-only, authenticated with AWS Signature V4, every read a
 * DECRYPT audit event. Runs until SIGTERM or Ctrl-C. Settings: {@code sealstream.gateway.*} in the same file as the
 * pipeline's (docs/OPERATIONS.md, "S3 read gateway").
 */
@Command(name = "gateway", description = "Serve the decrypted objects over the S3 API (read-only; SigV4 access keys "
        + "mapped to tenants; every read audited).")
final class GatewayCommand extends IoAware implements Callable<Integer> {

    @Mixin
    ServiceOptions service;
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen (overrides "
            + "sealstream.gateway.listen; port 0 picks a free one).")
    String listen;

    @Override
    public Integer call() throws Exception {
        LogLevels.setUnlessChosen("io.sealstream", "INFO");
        final Map<String, String> environment = service.environment(io);
        final Map<String, String> settings = new HashMap<>(service.settings(environment));
        if (listen != null) {
            settings.put(GatewayConfigKeys.LISTEN.name(), listen);
        }
        final GatewayConfig config;
        try {
            config = GatewayConfig.fromConfig(settings);
        } catch (final IllegalArgumentException e) {
            throw new CliFailure(e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        SealstreamRuntime.validate(settings);
        final String actor = service.actor(environment);
        final CompletableFuture<KafkaAuditLog> auditOpening = Background.supply("sealstream-audit-open",
                () -> KafkaAuditLog.open(settings, PipelineConfig.fromConfig(settings).applicationId() + "-gateway").prepare());
        try (SealstreamRuntime tools = Background.closingOnFailure(auditOpening,
                     () -> SealstreamRuntime.forTool(settings, environment, actor, "gateway"));
             KafkaAuditLog audit = Background.await(auditOpening)) {
            tools.registry().refresh();
            final AuditedObjectReader reader = new AuditedObjectReader(tools.store(), tools.registry(), tools.kms(),
                    audit, tools.events().service(), Clock.systemUTC(), true, tools.pipeline().keyPolicy());
            final CountDownLatch stop = new CountDownLatch(1);
            for (final String signal : List.of("TERM", "INT")) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
                } catch (final IllegalArgumentException unavailable) {
                    // reserved here (-Xrs): the JVM's default handling stops the process
                }
            }
            try (S3Gateway gateway = S3Gateway.start(config, tools.store(), tools.pipeline().destinationBucket(), reader,
                    tools.registry()::refresh, Clock.systemUTC())) {
                io.stderr().println("sealstream: S3 gateway listening on " + gateway.endpoint() + " (buckets "
                        + config.buckets().keySet() + "; Ctrl-C to stop)");
                io.stderr().flush();
                stop.await();
            }
            io.stderr().println("sealstream: gateway stopped");
        }
        return 0;
    }
}
