package io.sealstream.pipeline;

import io.sealstream.pipeline.internals.PermanentFailureException;
import io.sealstream.store.ObjectLocation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which staging objects an upload event may point to. Without limits, any object the pipeline can read could be
 * encrypted into any tenant's name, and then read back by that tenant:
 * <pre>
 * sealstream.staging.buckets=staging,uploads     # only these buckets (default: any)
 * sealstream.staging.tenant-prefix=true          # and only keys under "&lt;tenant&gt;/" (default: true)
 * </pre>
 * {@link #unsafeSettings()} names what is left open, for the start-up warning.
 */
public record StagingPolicy(Set<String> buckets, boolean tenantPrefix) {

    public StagingPolicy {
        buckets = Set.copyOf(buckets);
    }

    public static StagingPolicy any() {
        return new StagingPolicy(Set.of(), false);
    }

    /** One line per setting of this policy that leaves a door open, saying what it costs; empty when none does. */
    public List<String> unsafeSettings() {
        final List<String> unsafe = new java.util.ArrayList<>();
        if (!tenantPrefix) {
            unsafe.add("sealstream.staging.tenant-prefix=false: any tenant's upload event can name any staging object "
                    + "the pipeline can read, have it encrypted into its own space and read it back");
        }
        if (buckets.isEmpty()) {
            unsafe.add("sealstream.staging.buckets is not set: upload events may name staging objects in any bucket "
                    + "the pipeline's store credentials can read");
        }
        return unsafe;
    }

    public static StagingPolicy fromConfig(final Map<String, ?> config) {
        final List<String> buckets = PipelineConfigKeys.STAGING_BUCKETS.get(config);
        return new StagingPolicy(buckets == null ? Set.of() : Set.copyOf(buckets),
                PipelineConfigKeys.STAGING_TENANT_PREFIX.get(config));
    }

    /** Throws an INVALID_FIELD failure if {@code tenant} may not use the staging object at {@code location}. */
    public void check(final String tenant, final ObjectLocation location) throws PermanentFailureException {
        if (!buckets.isEmpty() && !buckets.contains(location.bucket())) {
            throw new PermanentFailureException(ReasonCode.INVALID_FIELD, "payload.location: bucket '" + location.bucket()
                    + "' is not a staging bucket (sealstream.staging.buckets)");
        }
        if (tenantPrefix && !location.key().startsWith(tenant + "/")) {
            throw new PermanentFailureException(ReasonCode.INVALID_FIELD, "payload.location: tenant '" + tenant
                    + "' may only use staging keys under '" + tenant + "/' (sealstream.staging.tenant-prefix)");
        }
    }
}
