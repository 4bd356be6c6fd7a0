package io.sealstream.cli;

import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.app.Background;
import io.sealstream.app.SealstreamRuntime;
import io.sealstream.keys.RegistryDataKeyResolver;
import io.sealstream.objects.ObjectIdentity;
import io.sealstream.pipeline.PipelineConfig;
import io.sealstream.reader.AuditedObjectReader;
import io.sealstream.store.ObjectLocation;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sealstream get s3://bucket/tenant/bucket/key --config FILE --out FILE}: the audited read. Reads an object the
 * pipeline wrote, resolves its data key through the DEK registry and decrypts it, streaming; every attempt is a
 * DECRYPT audit event (who, what, which key, outcome). The encryption context is rebuilt from the destination key
 * ({@code <tenant>/<bucket>/<object key>}), or given with {@code --tenant/--bucket/--object-key}. A file output
 * appears only once all of it authenticated and its audit event is durable.
 */
@Command(name = "get", description = "Decrypt an object the pipeline wrote (audited: every attempt is a DECRYPT audit event).")
final class GetCommand extends IoAware implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOCATION", description = "s3://<store bucket>/<tenant>/<bucket>/<object key>")
    String location;
    @Mixin
    ServiceOptions service;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Plaintext output, or - for stdout; a file appears only if all of it authenticated and the read was audited.")
    String out;
    @Option(names = "--tenant", paramLabel = "TENANT", description = "Override the tenant taken from the location.")
    String tenant;
    @Option(names = "--bucket", paramLabel = "BUCKET", description = "Override the logical bucket taken from the location.")
    String bucket;
    @Option(names = "--object-key", paramLabel = "KEY", description = "Override the object key taken from the location.")
    String objectKey;
    @Option(names = "--unsafe-header-key-fallback", description = "UNSAFE: when the DEK registry does not know an object's data key, unwrap the copy in the object's header instead of refusing. Anyone who can write to the store can then have any data key the KMS unwraps for you accepted (recovery after losing the registry only).")
    boolean unsafeHeaderKeyFallback;
    @Option(names = "--strict-registry", hidden = true, description = "The default; kept so existing scripts keep working.")
    boolean strictRegistry;

    @Override
    public Integer call() throws Exception {
        final ObjectLocation where;
        try {
            where = ObjectLocation.parse(location);
        } catch (final IllegalArgumentException e) {
            throw new CliFailure(e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        final ObjectIdentity identity = identity(where);
        final Map<String, String> environment = service.environment(io);
        final Map<String, String> settings = service.settings(environment);
        final String actor = service.actor(environment);
        // The audit log first, getting ready (metadata, schema id) while the runtime opens: the read's one audit
        // event then costs a single round trip.
        SealstreamRuntime.validate(settings);
        // The audit log opens and gets ready (metadata, producer id, schema id) on a thread of its own while the
        // runtime opens here: the read's one audit event then costs a single round trip (docs/PERFORMANCE.md, Reads).
        final CompletableFuture<KafkaAuditLog> auditOpening = Background.supply("sealstream-audit-open",
                () -> KafkaAuditLog.open(settings, PipelineConfig.fromConfig(settings).applicationId() + "-get").prepare());
        try (SealstreamRuntime tools = Background.closingOnFailure(auditOpening,
                     () -> SealstreamRuntime.forTool(settings, environment, actor, "get"));
             KafkaAuditLog audit = Background.await(auditOpening);
             StreamTarget.Output target = StreamTarget.create(out, io)) {
            final AuditedObjectReader reader = new AuditedObjectReader(tools.store(), tools.registry(), tools.kms(), audit,
                    tools.events().service(), Clock.systemUTC(), !unsafeHeaderKeyFallback, tools.pipeline().keyPolicy());
            if (unsafeHeaderKeyFallback) {
                io.stderr().println("sealstream: WARNING --unsafe-header-key-fallback: a data key the registry does not "
                        + "know is taken from the object's header");
            }
            final AuditedObjectReader.Result result = reader.read(where, identity, actor, target,
                    out.equals("-") ? AuditedObjectReader.Release.STREAMING : AuditedObjectReader.Release.AFTER_AUDIT);
            target.commit();
            if (!out.equals("-")) {
                io.stderr().println("sealstream: " + result.plaintextBytes() + " bytes decrypted with data key "
                        + result.dekId() + " (" + result.kek() + (result.keySource()
                        == RegistryDataKeyResolver.Source.HEADER ? ", from the object header: not in the registry" : "")
                        + "); audited as " + result.auditId());
            }
        }
        return 0;
    }

    private ObjectIdentity identity(final ObjectLocation where) {
        final String[] parts = where.key().split("/", 3);
        if (parts.length < 3 && (tenant == null || bucket == null || objectKey == null)) {
            throw new CliFailure("cannot tell tenant, bucket and object key from '" + where.key()
                    + "'; give --tenant, --bucket and --object-key", SealstreamCli.EXIT_USAGE);
        }
        return new ObjectIdentity(tenant != null ? tenant : parts[0], bucket != null ? bucket : parts[1],
                objectKey != null ? objectKey : parts[2]);
    }
}
