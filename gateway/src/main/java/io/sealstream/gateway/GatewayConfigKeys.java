package io.sealstream.gateway;

import io.sealstream.config.ConfigKey;
import io.sealstream.config.ConfigKeySet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The S3 read gateway's settings ({@code sealstream gateway --config FILE}; docs/OPERATIONS.md, "S3 read gateway"). */
public final class GatewayConfigKeys implements ConfigKeySet {

    public static final ConfigKey<String> LISTEN = ConfigKey.string("sealstream.gateway.listen", "127.0.0.1:9480",
            "`host:port` the gateway listens on (port 0: any free port). Loopback by default; another address needs "
                    + "TLS (`sealstream.gateway.tls.keystore`) or the unsafe `sealstream.gateway.allow-plain-http`.");
    public static final ConfigKey<String> REGION = ConfigKey.string("sealstream.gateway.region", "us-east-1",
            "The region clients sign for (AWS Signature V4 credential scope); a request signed for another is refused.");
    public static final ConfigKey<String> BUCKET = ConfigKey.string("sealstream.gateway.bucket.<name>", null,
            "Exposes the tenant's logical bucket `<tenant>/<bucket>` as the S3 bucket `<name>` "
                    + "(e.g. `sealstream.gateway.bucket.invoices=acme/invoices`). A bucket not listed does not exist.");
    public static final ConfigKey<String> ACCESS_KEY_ID = ConfigKey.string(
            "sealstream.gateway.principal.<principal>.access-key-id", null,
            "The access key id a client signs with; `<principal>` is the name audit events carry as the actor.");
    public static final ConfigKey<String> SECRET_ACCESS_KEY = ConfigKey.secret(
            "sealstream.gateway.principal.<principal>.secret-access-key",
            "The principal's secret access key (at least 16 characters); use a config provider (`${file:...}`, "
                    + "`${env:...}`) rather than the file itself.");
    public static final ConfigKey<List<String>> GRANTS = ConfigKey.list("sealstream.gateway.principal.<principal>.grants",
            "What the principal may read: `<tenant>/<bucket>` or `<tenant>/*`, comma-separated. Anything else is "
                    + "refused with 403 and audited.");
    public static final ConfigKey<Integer> THREADS = ConfigKey.integer("sealstream.gateway.threads", 16, 1, 1024,
            "Requests served at once; more wait in the listen backlog.");
    public static final ConfigKey<Duration> MAX_CLOCK_SKEW = ConfigKey.duration("sealstream.gateway.max-clock-skew",
            Duration.ofMinutes(15), "How far a request's signing time may be from the gateway's clock (S3's limit).")
            .positive();
    public static final ConfigKey<Duration> REGISTRY_REFRESH = ConfigKey.duration("sealstream.gateway.registry-refresh",
            Duration.ofSeconds(1), "How often the gateway catches up with the DEK registry: a shred takes effect on "
                    + "reads within this long (a DEK not yet seen is looked up at once).").positive();
    public static final ConfigKey<Duration> AUDIT_TIMEOUT = ConfigKey.duration("sealstream.gateway.audit-timeout",
            Duration.ofSeconds(30), "How long a read waits, before its last bytes, for its DECRYPT audit event to be "
                    + "acknowledged; a read whose event is not durable by then is cut off.").positive();
    public static final ConfigKey<Long> WARMUP_BYTES = ConfigKey.size("sealstream.gateway.warmup.bytes", 64L << 20,
            "Throwaway data decrypted at start on a background thread (4 KiB objects under a random key), so that the "
                    + "JIT compiles GCM decryption before the first reads: a cold JVM decrypts at about 100 MiB/s for "
                    + "its first 250 MiB, then at 4+ GiB/s (docs/PERFORMANCE.md, \"S3 read gateway\"). 0 turns it off.")
            .notNegative();
    public static final ConfigKey<Path> TLS_KEYSTORE = ConfigKey.path("sealstream.gateway.tls.keystore", null,
            "PKCS12 key store with the gateway's TLS certificate and key: the gateway then speaks HTTPS only.");
    public static final ConfigKey<String> TLS_KEYSTORE_PASSWORD = ConfigKey.secret(
            "sealstream.gateway.tls.keystore-password", "Password of `sealstream.gateway.tls.keystore`.");
    public static final ConfigKey<Boolean> ALLOW_PLAIN_HTTP = ConfigKey.bool("sealstream.gateway.allow-plain-http",
            false, "UNSAFE: listen on a non-loopback address without TLS, sending plaintext objects and signed "
                    + "requests over the network in the clear. Warns at start.");

    @Override
    public String title() {
        return "S3 read gateway";
    }

    @Override
    public String module() {
        return "sealstream-gateway";
    }

    @Override
    public String description() {
        return "The decrypting S3 read gateway (`sealstream gateway`): where it listens, who may read what "
                + "(docs/OPERATIONS.md, \"S3 read gateway\").";
    }

    @Override
    public int order() {
        return 70;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(LISTEN, REGION, BUCKET, ACCESS_KEY_ID, SECRET_ACCESS_KEY, GRANTS, THREADS, MAX_CLOCK_SKEW,
                REGISTRY_REFRESH, AUDIT_TIMEOUT, WARMUP_BYTES, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD, ALLOW_PLAIN_HTTP);
    }
}
