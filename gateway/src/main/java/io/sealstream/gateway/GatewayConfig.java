package io.sealstream.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The gateway's configuration, validated as a whole: who may read what, under which S3 bucket names, where it listens.
 * Built from the same properties file as the pipeline ({@link GatewayConfigKeys}); {@link #toString()} shows no secret.
 *
 * @param buckets    S3 bucket name → the tenant's logical bucket it exposes
 * @param principals by access key id
 */
public record GatewayConfig(InetSocketAddress listen, String region, Map<String, LogicalBucket> buckets,
                            Map<String, Principal> principals, int threads, Duration maxClockSkew,
                            Duration registryRefresh, Duration auditTimeout, long warmupBytes, Optional<Tls> tls,
                            boolean allowPlainHttp) {

    /** S3's bucket naming rule (lower case, digits, dots and hyphens, 3 to 63 characters). */
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final String PRINCIPAL_PREFIX = "sealstream.gateway.principal.";

    /** A tenant's logical bucket. */
    public record LogicalBucket(String tenant, String bucket) {
        public LogicalBucket {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(bucket, "bucket");
        }

        static LogicalBucket parse(final String key, final String value) {
            final String[] parts = value.trim().split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException(key + ": must be <tenant>/<bucket>, got '" + value + "'");
            }
            return new LogicalBucket(parts[0], parts[1]);
        }

        @Override
        public String toString() {
            return tenant + "/" + bucket;
        }
    }

    /** What one principal may read: whole tenants ({@code acme/*}) or single logical buckets. */
    public record Grant(String tenant, String bucket) {
        static Grant parse(final String key, final String value) {
            final String[] parts = value.trim().split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException(key + ": each grant must be <tenant>/<bucket> or <tenant>/*, got '"
                        + value + "'");
            }
            return new Grant(parts[0], parts[1]);
        }

        boolean allows(final LogicalBucket target) {
            return tenant.equals(target.tenant()) && (bucket.equals("*") || bucket.equals(target.bucket()));
        }
    }

    /** A client identity: its name (the audit actor), access key and secret, and grants. */
    public record Principal(String name, String accessKeyId, String secretAccessKey, List<Grant> grants) {
        public Principal {
            grants = List.copyOf(grants);
        }

        public boolean mayRead(final LogicalBucket target) {
            return grants.stream().anyMatch(g -> g.allows(target));
        }

        @Override
        public String toString() {
            return "Principal[" + name + ", " + accessKeyId + ", grants=" + grants + "]"; // never the secret
        }
    }

    /** The gateway's TLS identity. */
    public record Tls(Path keystore, String password) {
        @Override
        public String toString() {
            return "Tls[" + keystore + "]";
        }
    }

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        buckets = Map.copyOf(buckets);
        principals = Map.copyOf(principals);
        Objects.requireNonNull(tls, "tls");
        if (tls.isEmpty() && !listen.getAddress().isLoopbackAddress() && !allowPlainHttp) {
            throw new IllegalArgumentException(GatewayConfigKeys.LISTEN.name() + ": " + listen.getHostString()
                    + " is not a loopback address; serving plaintext objects over the network needs TLS ("
                    + GatewayConfigKeys.TLS_KEYSTORE.name() + "), or the unsafe "
                    + GatewayConfigKeys.ALLOW_PLAIN_HTTP.name() + "=true");
        }
    }

    /** Reads and validates the gateway's settings; one-line errors naming the key. */
    public static GatewayConfig fromConfig(final Map<String, String> settings) {
        final InetSocketAddress listen = parseListen(GatewayConfigKeys.LISTEN.get(settings));
        final Map<String, LogicalBucket> buckets = new TreeMap<>();
        GatewayConfigKeys.BUCKET.values(settings).forEach((key, value) -> {
            final String name = GatewayConfigKeys.BUCKET.placeholderValues(key).get(0);
            if (!S3_BUCKET.matcher(name).matches()) {
                throw new IllegalArgumentException(key + ": '" + name + "' is not an S3 bucket name (3-63 characters: "
                        + "lower-case letters, digits, dots, hyphens)");
            }
            buckets.put(name, LogicalBucket.parse(key, value));
        });
        final Map<String, Principal> byAccessKey = new HashMap<>();
        for (final String name : principalNames(settings)) {
            final String idKey = GatewayConfigKeys.ACCESS_KEY_ID.name(name);
            final String secretKey = GatewayConfigKeys.SECRET_ACCESS_KEY.name(name);
            final String grantsKey = GatewayConfigKeys.GRANTS.name(name);
            final String id = GatewayConfigKeys.ACCESS_KEY_ID.values(settings).get(idKey);
            final String secret = GatewayConfigKeys.SECRET_ACCESS_KEY.values(settings).get(secretKey);
            final List<String> grantTexts = GatewayConfigKeys.GRANTS.values(settings).getOrDefault(grantsKey, List.of());
            if (id == null || secret == null) {
                throw new IllegalArgumentException("gateway principal '" + name + "' needs both " + idKey + " and "
                        + secretKey);
            }
            if (secret.length() < 16) {
                throw new IllegalArgumentException(secretKey + ": must be at least 16 characters (the value of a secret "
                        + "setting is not shown)");
            }
            final List<Grant> grants = new ArrayList<>();
            for (final String g : grantTexts) {
                grants.add(Grant.parse(grantsKey, g));
            }
            final Principal previous = byAccessKey.put(id, new Principal(name, id, secret, grants));
            if (previous != null) {
                throw new IllegalArgumentException(idKey + ": access key id '" + id + "' is also principal '"
                        + previous.name() + "''s");
            }
        }
        final java.nio.file.Path keystore = GatewayConfigKeys.TLS_KEYSTORE.get(settings);
        final Optional<Tls> tls = keystore == null ? Optional.empty()
                : Optional.of(new Tls(keystore, Objects.requireNonNullElse(
                        GatewayConfigKeys.TLS_KEYSTORE_PASSWORD.get(settings), "")));
        return new GatewayConfig(listen, GatewayConfigKeys.REGION.get(settings), buckets, byAccessKey,
                GatewayConfigKeys.THREADS.get(settings), GatewayConfigKeys.MAX_CLOCK_SKEW.get(settings),
                GatewayConfigKeys.REGISTRY_REFRESH.get(settings), GatewayConfigKeys.AUDIT_TIMEOUT.get(settings),
                GatewayConfigKeys.WARMUP_BYTES.get(settings), tls,
                GatewayConfigKeys.ALLOW_PLAIN_HTTP.get(settings));
    }

    /** Whether starting with this configuration deserves a warning (an unsafe setting in use). */
    public Optional<String> unsafeSetting() {
        if (tls.isEmpty() && !listen.getAddress().isLoopbackAddress()) {
            return Optional.of(GatewayConfigKeys.ALLOW_PLAIN_HTTP.name() + "=true: plaintext objects and signed "
                    + "requests cross the network unencrypted on " + listen);
        }
        return Optional.empty();
    }

    private static Set<String> principalNames(final Map<String, String> settings) {
        final Set<String> names = new java.util.TreeSet<>();
        for (final String key : settings.keySet()) {
            if (key.startsWith(PRINCIPAL_PREFIX)) {
                final String rest = key.substring(PRINCIPAL_PREFIX.length());
                final int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new IllegalArgumentException(key + ": expected " + PRINCIPAL_PREFIX
                            + "<principal>.access-key-id, .secret-access-key or .grants");
                }
                if (!GatewayConfigKeys.ACCESS_KEY_ID.matches(key) && !GatewayConfigKeys.SECRET_ACCESS_KEY.matches(key)
                        && !GatewayConfigKeys.GRANTS.matches(key)) {
                    throw new IllegalArgumentException(key + ": unknown principal setting (expected .access-key-id, "
                            + ".secret-access-key or .grants)");
                }
                names.add(rest.substring(0, dot));
            }
        }
        return names;
    }

    private static InetSocketAddress parseListen(final String text) {
        final int colon = text.lastIndexOf(':');
        try {
            final String host = text.substring(0, colon).replace("[", "").replace("]", "");
            final int port = Integer.parseInt(text.substring(colon + 1));
            if (colon <= 0 || port < 0 || port > 65_535) {
                throw new IllegalArgumentException();
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (final RuntimeException | java.net.UnknownHostException e) {
            throw new IllegalArgumentException(GatewayConfigKeys.LISTEN.name() + ": must be host:port, got '" + text + "'");
        }
    }
}
