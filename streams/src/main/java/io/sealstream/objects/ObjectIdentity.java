package io.sealstream.objects;

import io.sealstream.envelope.EncryptionContext;
import io.sealstream.store.ObjectLocation;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of an uploaded object: tenant, logical bucket and object key. It decides where the ciphertext goes
 * and is bound to it as the encryption context, so a ciphertext copied to another tenant, bucket or key no longer
 * decrypts.
 *
 * <p>Any reader rebuilds the context from the three fields alone: the canonical encoding (FORMAT.md) of
 * {@code {"bucket": bucket, "object-key": objectKey, "tenant": tenant}}. {@code sealstream decrypt --context
 * tenant=T --context bucket=B --context object-key=K} does exactly that.
 */
public record ObjectIdentity(String tenant, String bucket, String objectKey) {

    public static final String CONTEXT_TENANT = EncryptionContext.TENANT;
    public static final String CONTEXT_BUCKET = EncryptionContext.BUCKET;
    public static final String CONTEXT_OBJECT_KEY = "object-key";

    public ObjectIdentity {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(objectKey, "objectKey");
    }

    /** The scope of the data keys that may encrypt this object: its tenant's bucket. */
    public io.sealstream.kms.KeyScope keyScope() {
        return encryptionContext().keyScope();
    }

    public EncryptionContext encryptionContext() {
        return EncryptionContext.of(CONTEXT_TENANT, tenant, CONTEXT_BUCKET, bucket, CONTEXT_OBJECT_KEY, objectKey);
    }

    /**
     * The identity of the destination object at {@code location}, read back from its key
     * ({@code <tenant>/<bucket>/<objectKey>}); empty if the key has fewer than three parts.
     */
    public static Optional<ObjectIdentity> ofDestination(final ObjectLocation location) {
        final String[] parts = location.key().split("/", 3);
        return parts.length < 3 ? Optional.empty() : Optional.of(new ObjectIdentity(parts[0], parts[1], parts[2]));
    }

    /**
     * Where the ciphertext lives: {@code s3://<destinationBucket>/<tenant>/<bucket>/<objectKey>}. Deterministic, so a
     * replayed upload writes the same object rather than a second one.
     */
    public ObjectLocation destination(final String destinationBucket) {
        return new ObjectLocation(destinationBucket, tenant + "/" + bucket + "/" + objectKey);
    }
}
