package io.sealstream.pipeline;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which KEK encrypts a tenant's objects: the most specific rule wins (tenant and bucket, then tenant, then the
 * default). Configured as
 * <pre>
 * sealstream.keys.default=kek-default
 * sealstream.keys.tenant.acme=kek-acme
 * sealstream.keys.tenant.acme.bucket.invoices=kek-acme-invoices
 * </pre>
 */
public record KeyPolicy(String defaultKek, String quarantineKek, Map<String, String> byTenant,
                        Map<String, String> byTenantAndBucket) {

    private static final String PREFIX = "sealstream.keys.";
    private static final String TENANT = PREFIX + "tenant.";
    private static final String BUCKET = ".bucket.";

    public KeyPolicy {
        Objects.requireNonNull(defaultKek, "defaultKek");
        if (defaultKek.isBlank()) {
            throw new IllegalArgumentException("sealstream.keys.default must name a KEK");
        }
        Objects.requireNonNull(quarantineKek, "quarantineKek");
        byTenant = Map.copyOf(byTenant);
        byTenantAndBucket = Map.copyOf(byTenantAndBucket);
    }

    public static KeyPolicy of(final String defaultKek) {
        return new KeyPolicy(defaultKek, defaultKek, Map.of(), Map.of());
    }

    public static KeyPolicy fromConfig(final Map<String, ?> config) {
        final String def = PipelineConfigKeys.KEYS_DEFAULT.get(config);
        final Map<String, String> tenants = new TreeMap<>();
        final Map<String, String> buckets = new TreeMap<>();
        for (Map.Entry<String, ?> e : config.entrySet()) {
            if (!e.getKey().startsWith(TENANT)) {
                continue;
            }
            final String rest = e.getKey().substring(TENANT.length());
            final String kek = String.valueOf(e.getValue()).trim();
            if (rest.isEmpty() || kek.isEmpty()) {
                throw new IllegalArgumentException("bad key policy entry: " + e.getKey());
            }
            final int b = rest.indexOf(BUCKET);
            if (b < 0) {
                tenants.put(rest, kek);
            } else {
                buckets.put(scope(rest.substring(0, b), rest.substring(b + BUCKET.length())), kek);
            }
        }
        final String defaultKek = def == null ? "sealstream-default" : def;
        final String quarantine = PipelineConfigKeys.KEYS_QUARANTINE.get(config);
        return new KeyPolicy(defaultKek, quarantine == null ? defaultKek : quarantine, tenants, buckets);
    }

    /** The KEK id for an object of {@code tenant} in {@code bucket}. */
    public String kekFor(final String tenant, final String bucket) {
        final String specific = byTenantAndBucket.get(scope(tenant, bucket));
        if (specific != null) {
            return specific;
        }
        return byTenant.getOrDefault(tenant, defaultKek);
    }

    private static String scope(final String tenant, final String bucket) {
        return tenant + "\u0000" + bucket;
    }

    /** Every KEK id the policy can pick, default first. */
    public java.util.Set<String> allKeks() {
        final java.util.Set<String> all = new java.util.LinkedHashSet<>();
        all.add(defaultKek);
        all.add(quarantineKek);
        all.addAll(byTenant.values());
        all.addAll(byTenantAndBucket.values());
        return all;
    }
}
