package io.sealstream.kms.aws;

import static io.sealstream.kms.aws.AwsKms.PROVIDER;
import static io.sealstream.kms.aws.AwsKms.VERSION;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyBinding;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * How data keys and KEKs map onto AWS KMS requests and answers: the encryption context, the returned plaintext key
 * (copied out and the SDK's array zeroed), ciphertext blobs and key metadata.
 */
final class AwsKmsMapping {

    static final String CONTEXT_PURPOSE = "sealstream:purpose";
    static final String CONTEXT_KEK_ID = "sealstream:kek-id";
    static final String CONTEXT_KEK_VERSION = "sealstream:kek-version";
    static final String CONTEXT_DEK_ID = "sealstream:dek-id";
    static final String CONTEXT_TENANT = "sealstream:tenant";
    static final String CONTEXT_BUCKET = "sealstream:bucket";

    private AwsKmsMapping() {
    }

    /** The encryption context binding a wrapped key to its KEK reference, DEK id and (when scoped) tenant and bucket. */
    static Map<String, String> context(final KekRef ref, final String dekId, final KeyScope scope) {
        if (!scope.isScoped()) {
            return Map.of(CONTEXT_PURPOSE, KeyBinding.WRAP_LABEL,
                    CONTEXT_KEK_ID, ref.keyId(),
                    CONTEXT_KEK_VERSION, ref.version(),
                    CONTEXT_DEK_ID, dekId);
        }
        return Map.of(CONTEXT_PURPOSE, KeyBinding.SCOPED_WRAP_LABEL,
                CONTEXT_KEK_ID, ref.keyId(),
                CONTEXT_KEK_VERSION, ref.version(),
                CONTEXT_DEK_ID, dekId,
                CONTEXT_TENANT, scope.tenant(),
                CONTEXT_BUCKET, scope.bucket());
    }

    static boolean isPendingDeletion(final KeyMetadata metadata) {
        return metadata.keyState() == KeyState.PENDING_DELETION
                || metadata.keyState() == KeyState.PENDING_REPLICA_DELETION;
    }

    static KeyDescription description(final String kekId, final KeyMetadata metadata) {
        final Instant created = metadata.creationDate() == null ? Instant.EPOCH : metadata.creationDate();
        return new KeyDescription(PROVIDER, kekId, VERSION, List.of(VERSION), created);
    }

    /** The plaintext as an array the caller owns; the SDK's own array is zeroed (its other buffers can not be). */
    static byte[] takePlaintext(final SdkBytes plaintext, final String operation, final KekRef ref) {
        if (plaintext == null) {
            throw new KmsException("AWS KMS " + operation + " under " + ref + " returned no plaintext");
        }
        final byte[] sdkOwned = plaintext.asByteArrayUnsafe();
        final byte[] copy = sdkOwned.clone();
        Arrays.fill(sdkOwned, (byte) 0);
        if (copy.length != DataKey.KEY_BYTES) {
            Arrays.fill(copy, (byte) 0);
            throw new KmsException("AWS KMS " + operation + " under " + ref + " returned a " + copy.length
                    + "-byte key, not " + DataKey.KEY_BYTES);
        }
        return copy;
    }

    static byte[] requireBlob(final SdkBytes blob, final String operation, final KekRef ref) {
        if (blob == null) {
            throw new KmsException("AWS KMS " + operation + " under " + ref + " returned no ciphertext");
        }
        final byte[] bytes = blob.asByteArray();
        if (bytes.length == 0 || bytes.length > WrappedDataKey.MAX_CIPHERTEXT_BYTES) {
            throw new KmsException("AWS KMS " + operation + " under " + ref + " returned a ciphertext of "
                    + bytes.length + " bytes");
        }
        return bytes;
    }
}
