package io.sealstream.dev;

import io.sealstream.app.SealstreamApp;
import io.sealstream.audit.kafka.KafkaAuditLog;
import io.sealstream.cli.CliFailure;
import io.sealstream.cli.SealstreamCli;
import io.sealstream.events.ObjectEncrypted;
import io.sealstream.gateway.GatewayConfig;
import io.sealstream.gateway.S3Gateway;
import io.sealstream.reader.AuditedObjectReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The demo's last step: {@code sealstream gateway} in-process, and one object read back through it by a plain S3
 * client (the AWS SDK for Java, which knows nothing of sealstream), whole and by a last-byte range.
 */
final class GatewayDemo {

    private GatewayDemo() {
    }

    static void readOneObject(final PrintStream out, final SealstreamApp app, final Map<String, String> config,
                              final ObjectEncrypted object, final byte[] expectedSha256) throws Exception {
        final long t0 = System.nanoTime();
        final SecureRandom random = new SecureRandom();
        final String accessKey = "DEMO" + HexFormat.of().withUpperCase().formatHex(random.generateSeed(8));
        final String secret = HexFormat.of().formatHex(random.generateSeed(20));
        final String bucket = object.getBucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") ? object.getBucket() : "objects";
        final GatewayConfig gatewayConfig = GatewayConfig.fromConfig(Map.of(
                "sealstream.gateway.listen", "127.0.0.1:0",
                "sealstream.gateway.bucket." + bucket, object.getTenant() + "/" + object.getBucket(),
                "sealstream.gateway.principal.demo-reader.access-key-id", accessKey,
                "sealstream.gateway.principal.demo-reader.secret-access-key", secret,
                "sealstream.gateway.principal.demo-reader.grants", object.getTenant() + "/" + object.getBucket()));
        try (KafkaAuditLog audit = KafkaAuditLog.open(config, "sealstream-demo-gateway");
             S3Gateway gateway = S3Gateway.start(gatewayConfig, app.store(), app.pipeline().destinationBucket(),
                     new AuditedObjectReader(app.store(), app.registry(), app.kms(), audit, "sealstream-demo/gateway",
                             Clock.systemUTC(), true, app.pipeline().keyPolicy()),
                     app.registry()::refresh, Clock.systemUTC());
             S3Client s3 = S3Client.builder().endpointOverride(gateway.endpoint()).region(Region.US_EAST_1)
                     .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                             AwsBasicCredentials.create(accessKey, secret))).build()) {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            final long started = System.nanoTime();
            long bytes = 0;
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(object.getObjectKey()))) {
                final byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
            final double seconds = (System.nanoTime() - started) / 1e9;
            final long rangeStart = System.nanoTime();
            final byte[] last = s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.getObjectKey()).range("bytes=-1"))
                    .asByteArray();
            final double rangeMs = (System.nanoTime() - rangeStart) / 1e6;
            final boolean same = MessageDigest.isEqual(sha.digest(), expectedSha256);
            out.printf("gateway     %s (%.1f s): s3://%s/%s read by a plain S3 client (AWS SDK), %d MiB at %.0f MiB/s, "
                            + "sha256 matches: %s; its last byte by a range in %.0f ms (%d byte)%n", gateway.endpoint(),
                    (System.nanoTime() - t0) / 1e9, bucket, object.getObjectKey(), bytes >> 20,
                    bytes / 1048576.0 / seconds, same, rangeMs, last.length);
            out.printf("            the same with the AWS CLI: AWS_ACCESS_KEY_ID=<id> AWS_SECRET_ACCESS_KEY=<secret> "
                    + "aws s3 cp s3://%s/%s . --endpoint-url %s --region us-east-1%n", bucket, object.getObjectKey(),
                    gateway.endpoint());
            if (!same || bytes != object.getPlaintextSize() || last.length != 1) {
                throw new CliFailure("demo: the object read through the S3 gateway did not match", SealstreamCli.EXIT_FAILURE);
            }
        }
    }
}
