package io.sealstream.cli;

import io.sealstream.app.KmsProviders;
import io.sealstream.app.SealstreamConfig;
import io.sealstream.envelope.DecryptingInputStream;
import io.sealstream.envelope.EnvelopeEncryption;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.pipeline.ObjectIdentity;
import io.sealstream.store.ObjectLocation;
import io.sealstream.store.ObjectStore;
import io.sealstream.store.ObjectStores;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sealstream get s3://bucket/tenant/bucket/key --config FILE --out FILE}: reads an object the pipeline wrote
 * from the configured store and decrypts it, streaming. The encryption context is rebuilt from the destination key
 * ({@code <tenant>/<bucket>/<object key>}), or given with {@code --tenant/--bucket/--object-key}.
 */
@Command(name = "get", description = "Decrypt an object the pipeline wrote, from the configured object store.")
final class GetCommand extends IoAware implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOCATION", description = "s3://<store bucket>/<tenant>/<bucket>/<object key>")
    String location;
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The pipeline's properties file (store and KMS settings).")
    Path config;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Plaintext output, or - for stdout; a file appears only if all of it authenticated.")
    String out;
    @Option(names = "--tenant", paramLabel = "TENANT", description = "Override the tenant taken from the location.")
    String tenant;
    @Option(names = "--bucket", paramLabel = "BUCKET", description = "Override the logical bucket taken from the location.")
    String bucket;
    @Option(names = "--object-key", paramLabel = "KEY", description = "Override the object key taken from the location.")
    String objectKey;

    @Override
    public Integer call() throws Exception {
        final ObjectLocation where;
        try {
            where = ObjectLocation.parse(location);
        } catch (final IllegalArgumentException e) {
            throw new CliFailure(e.getMessage(), SealstreamCli.EXIT_USAGE);
        }
        final ObjectIdentity identity = identity(where);
        final Map<String, String> settings = SealstreamConfig.load(config, io.environment());
        try (KeyManagementService kms = KmsProviders.open(settings, io.environment());
             ObjectStore store = ObjectStores.fromConfig(settings);
             InputStream source = store.get(where);
             StreamTarget.Output target = StreamTarget.create(out, io)) {
            final EnvelopeEncryption envelope = new EnvelopeEncryption(kms);
            try (DecryptingInputStream plain = envelope.decryptingStream(source, identity.encryptionContext())) {
                plain.transferTo(target);
            }
            target.commit();
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
