package io.sealstream.kms;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Whose objects a data key may encrypt: one tenant's bucket. A scoped DEK is wrapped with its scope in the wrapping's
 * associated data (or the KMS's context), so the KMS refuses to unwrap it for any other tenant or bucket, and the DEK
 * registry records it, so a read refuses a DEK registered for someone else (docs/ARCHITECTURE.md, "Tenant-bound data
 * keys"). A reader never takes the scope from an object: it derives it from the identity it reads the object as.
 *
 * <p>{@link #UNSCOPED} (both fields empty) is for keys that serve no tenant (sealed dead letters, tests of the format
 * alone); no tenant can read an object through an unscoped key, because a tenant's read always asks for its scope.
 *
 * @param tenant the tenant, or empty for {@link #UNSCOPED}
 * @param bucket the bucket, or empty for {@link #UNSCOPED}
 */
public record KeyScope(String tenant, String bucket) {

    /** Bound to no tenant. */
    public static final KeyScope UNSCOPED = new KeyScope("", "");

    /** Upper bound on each field's UTF-8 length (the same as an encryption-context field's). */
    public static final int MAX_FIELD_BYTES = 1024;

    public KeyScope {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(bucket, "bucket");
        if (tenant.isEmpty() != bucket.isEmpty()) {
            throw new IllegalArgumentException("a key scope names both a tenant and a bucket, or neither");
        }
        if (tenant.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES
                || bucket.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("key scope field longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }

    /** The scope of {@code tenant}'s {@code bucket}. */
    public static KeyScope of(final String tenant, final String bucket) {
        if (tenant.isEmpty() || bucket.isEmpty()) {
            throw new IllegalArgumentException("a tenant's key scope needs a tenant and a bucket");
        }
        return new KeyScope(tenant, bucket);
    }

    public boolean isScoped() {
        return !tenant.isEmpty();
    }

    /** {@code tenant/bucket}, or {@code unscoped}: for logs and messages. */
    @Override
    public String toString() {
        return isScoped() ? tenant + "/" + bucket : "unscoped";
    }
}
