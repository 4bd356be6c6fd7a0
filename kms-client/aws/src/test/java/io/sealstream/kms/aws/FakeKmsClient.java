package io.sealstream.kms.aws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.CreateAliasRequest;
import software.amazon.awssdk.services.kms.model.CreateAliasResponse;
import software.amazon.awssdk.services.kms.model.CreateKeyRequest;
import software.amazon.awssdk.services.kms.model.CreateKeyResponse;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DeleteAliasRequest;
import software.amazon.awssdk.services.kms.model.DeleteAliasResponse;
import software.amazon.awssdk.services.kms.model.DescribeKeyRequest;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.DisableKeyRequest;
import software.amazon.awssdk.services.kms.model.DisableKeyResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.ListAliasesRequest;
import software.amazon.awssdk.services.kms.model.ListAliasesResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReEncryptRequest;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionRequest;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

/**
 * A hand-written in-memory stand-in for AWS KMS behind the SDK's {@link KmsClient} interface: symmetric keys, aliases,
 * key states, AES-GCM ciphertext blobs that authenticate the encryption context and record the key id (as AWS and
 * LocalStack do). It records every request and can be told to fail the next call. Only what {@link AwsKms} calls is
 * implemented; everything else keeps the interface's default (UnsupportedOperationException).
 */
final class FakeKmsClient implements KmsClient {

    static final String ACCOUNT = "111122223333";
    static final String REGION = "eu-west-1";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_ID_BYTES = 36;

    final List<Object> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, FakeKey> keys = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private volatile Supplier<SdkException> nextFailure;

    private static final class FakeKey {
        final String keyId;
        final SecretKey material;
        /** For an ECC_NIST_EDWARDS25519 key: the pair AWS would keep (only Sign and GetPublicKey use it). */
        final java.security.KeyPair signing;
        final Instant created = Instant.now();
        volatile KeyState state = KeyState.ENABLED;

        FakeKey(final String keyId) {
            this(keyId, false);
        }

        FakeKey(final String keyId, final boolean ed25519) {
            this.keyId = keyId;
            final byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            this.material = new SecretKeySpec(bytes, "AES");
            try {
                this.signing = ed25519 ? java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair() : null;
            } catch (final java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        String arn() {
            return "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + keyId;
        }

        KeyMetadata metadata() {
            return KeyMetadata.builder().keyId(keyId).arn(arn()).creationDate(created).keyState(state)
                    .enabled(state == KeyState.ENABLED)
                    .keySpec(signing != null ? software.amazon.awssdk.services.kms.model.KeySpec.ECC_NIST_EDWARDS25519
                            : software.amazon.awssdk.services.kms.model.KeySpec.SYMMETRIC_DEFAULT)
                    .keyUsage(signing != null ? software.amazon.awssdk.services.kms.model.KeyUsageType.SIGN_VERIFY
                            : software.amazon.awssdk.services.kms.model.KeyUsageType.ENCRYPT_DECRYPT).build();
        }
    }

    /** The next call throws what {@code failure} supplies (once). */
    void failNext(final Supplier<SdkException> failure) {
        this.nextFailure = failure;
    }

    <T> List<T> requestsOf(final Class<T> type) {
        synchronized (requests) {
            return requests.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private void record(final Object request) {
        requests.add(request);
        final Supplier<SdkException> failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure.get();
        }
    }

    private FakeKey resolve(final String id) {
        String keyId = id;
        if (id.startsWith("arn:") && id.contains(":alias/")) {
            keyId = aliases.get("alias/" + id.substring(id.indexOf(":alias/") + 7));
        } else if (id.startsWith("arn:") && id.contains(":key/")) {
            keyId = id.substring(id.indexOf(":key/") + 5);
        } else if (id.startsWith("alias/")) {
            keyId = aliases.get(id);
        }
        final FakeKey key = keyId == null ? null : keys.get(keyId);
        if (key == null) {
            throw NotFoundException.builder().message("not found: " + id)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("NotFoundException").build())
                    .statusCode(400).requestId("fake-request-1").build();
        }
        return key;
    }

    private static FakeKey usable(final FakeKey key) {
        if (key.state == KeyState.DISABLED) {
            throw DisabledException.builder().message(key.arn() + " is disabled.")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("DisabledException").build()).statusCode(400).build();
        }
        if (key.state == KeyState.PENDING_DELETION) {
            throw KmsInvalidStateException.builder().message(key.arn() + " is pending deletion.")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("KMSInvalidStateException").build()).statusCode(400).build();
        }
        return key;
    }

    private static byte[] aad(final Map<String, String> context) {
        final StringBuilder out = new StringBuilder();
        new TreeMap<>(context == null ? Map.of() : context).forEach((k, v) -> out.append(k).append('\0').append(v).append('\0'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encrypt(final FakeKey key, final byte[] plaintext, final Map<String, String> context) {
        try {
            final byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.material, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad(context));
            final byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(KEY_ID_BYTES + 12 + sealed.length)
                    .put(key.keyId.getBytes(StandardCharsets.US_ASCII)).put(nonce).put(sealed).array();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] decrypt(final String requestedKeyId, final byte[] blob, final Map<String, String> context) {
        final FakeKey requested = resolve(requestedKeyId);
        final String blobKeyId = new String(blob, 0, Math.min(KEY_ID_BYTES, blob.length), StandardCharsets.US_ASCII);
        if (!requested.keyId.equals(blobKeyId)) {
            throw IncorrectKeyException.builder().message("The key ID in the request does not identify a CMK that can perform this operation.")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("IncorrectKeyException").build()).statusCode(400).build();
        }
        usable(requested);
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, requested.material, new GCMParameterSpec(128, blob, KEY_ID_BYTES, 12));
            cipher.updateAAD(aad(context));
            return cipher.doFinal(blob, KEY_ID_BYTES + 12, blob.length - KEY_ID_BYTES - 12);
        } catch (final AEADBadTagException | IllegalArgumentException | java.security.ProviderException e) {
            // AWS KMS answers InvalidCiphertextException to any blob it cannot open, too short ones included.
            throw InvalidCiphertextException.builder().message("")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidCiphertextException").build()).statusCode(400).build();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public GenerateDataKeyResponse generateDataKey(final GenerateDataKeyRequest request) {
        record(request);
        final FakeKey key = usable(resolve(request.keyId()));
        final byte[] plaintext = new byte[32];
        RANDOM.nextBytes(plaintext);
        return GenerateDataKeyResponse.builder().keyId(key.arn()).plaintext(SdkBytes.fromByteArray(plaintext))
                .ciphertextBlob(SdkBytes.fromByteArray(encrypt(key, plaintext, request.encryptionContext()))).build();
    }

    @Override
    public DecryptResponse decrypt(final DecryptRequest request) {
        record(request);
        final byte[] plaintext = decrypt(request.keyId(), request.ciphertextBlob().asByteArray(), request.encryptionContext());
        return DecryptResponse.builder().keyId(resolve(request.keyId()).arn()).plaintext(SdkBytes.fromByteArray(plaintext)).build();
    }

    @Override
    public ReEncryptResponse reEncrypt(final ReEncryptRequest request) {
        record(request);
        final byte[] plaintext = decrypt(request.sourceKeyId(), request.ciphertextBlob().asByteArray(),
                request.sourceEncryptionContext());
        final FakeKey destination = usable(resolve(request.destinationKeyId()));
        final byte[] blob = encrypt(destination, plaintext, request.destinationEncryptionContext());
        Arrays.fill(plaintext, (byte) 0);
        return ReEncryptResponse.builder().keyId(destination.arn()).ciphertextBlob(SdkBytes.fromByteArray(blob)).build();
    }

    @Override
    public CreateKeyResponse createKey(final CreateKeyRequest request) {
        record(request);
        final FakeKey key = new FakeKey(UUID.randomUUID().toString(),
                request.keySpec() == software.amazon.awssdk.services.kms.model.KeySpec.ECC_NIST_EDWARDS25519);
        keys.put(key.keyId, key);
        return CreateKeyResponse.builder().keyMetadata(key.metadata()).build();
    }

    @Override
    public software.amazon.awssdk.services.kms.model.SignResponse sign(
            final software.amazon.awssdk.services.kms.model.SignRequest request) {
        record(request);
        final FakeKey key = resolve(request.keyId());
        if (key.signing == null || request.signingAlgorithm()
                != software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec.ED25519_SHA_512
                || request.messageType() != software.amazon.awssdk.services.kms.model.MessageType.RAW) {
            throw InvalidKeyUsageException.builder().message("key usage or algorithm not supported").statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidKeyUsageException").build()).build();
        }
        try {
            final java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
            signer.initSign(key.signing.getPrivate());
            signer.update(request.message().asByteArray());
            return software.amazon.awssdk.services.kms.model.SignResponse.builder().keyId(key.arn())
                    .signature(SdkBytes.fromByteArray(signer.sign())).signingAlgorithm(request.signingAlgorithm()).build();
        } catch (final java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public software.amazon.awssdk.services.kms.model.GetPublicKeyResponse getPublicKey(
            final software.amazon.awssdk.services.kms.model.GetPublicKeyRequest request) {
        record(request);
        final FakeKey key = resolve(request.keyId());
        if (key.signing == null) {
            throw InvalidKeyUsageException.builder().message("symmetric keys have no public key").statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("UnsupportedOperationException").build()).build();
        }
        return software.amazon.awssdk.services.kms.model.GetPublicKeyResponse.builder().keyId(key.arn())
                .publicKey(SdkBytes.fromByteArray(key.signing.getPublic().getEncoded())).build();
    }

    @Override
    public CreateAliasResponse createAlias(final CreateAliasRequest request) {
        record(request);
        if (aliases.containsKey(request.aliasName())) {
            throw AlreadyExistsException.builder().message("An alias with the name exists")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("AlreadyExistsException").build()).statusCode(400).build();
        }
        aliases.put(request.aliasName(), resolve(request.targetKeyId()).keyId);
        return CreateAliasResponse.builder().build();
    }

    @Override
    public DeleteAliasResponse deleteAlias(final DeleteAliasRequest request) {
        record(request);
        if (aliases.remove(request.aliasName()) == null) {
            resolve(request.aliasName()); // throws NotFound
        }
        return DeleteAliasResponse.builder().build();
    }

    @Override
    public DescribeKeyResponse describeKey(final DescribeKeyRequest request) {
        record(request);
        return DescribeKeyResponse.builder().keyMetadata(resolve(request.keyId()).metadata()).build();
    }

    @Override
    public DisableKeyResponse disableKey(final DisableKeyRequest request) {
        record(request);
        final FakeKey key = resolve(request.keyId());
        if (key.state == KeyState.PENDING_DELETION) {
            usable(key);
        }
        key.state = KeyState.DISABLED;
        return DisableKeyResponse.builder().build();
    }

    @Override
    public ScheduleKeyDeletionResponse scheduleKeyDeletion(final ScheduleKeyDeletionRequest request) {
        record(request);
        final FakeKey key = resolve(request.keyId());
        if (request.pendingWindowInDays() == null || request.pendingWindowInDays() < 7 || request.pendingWindowInDays() > 30) {
            throw software.amazon.awssdk.services.kms.model.KmsException.builder().message("PendingWindowInDays")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build()).statusCode(400).build();
        }
        key.state = KeyState.PENDING_DELETION;
        return ScheduleKeyDeletionResponse.builder().keyId(key.arn()).keyState(key.state)
                .deletionDate(Instant.now().plus(Duration.ofDays(request.pendingWindowInDays()))).build();
    }

    @Override
    public ListAliasesResponse listAliases(final ListAliasesRequest request) {
        record(request);
        final List<AliasListEntry> entries = new ArrayList<>();
        entries.add(AliasListEntry.builder().aliasName("alias/aws/s3").build()); // AWS-managed, no target listed
        aliases.forEach((name, keyId) -> entries.add(AliasListEntry.builder().aliasName(name).targetKeyId(keyId).build()));
        return ListAliasesResponse.builder().aliases(entries).truncated(false).build();
    }

    @Override
    public String serviceName() {
        return "kms";
    }

    @Override
    public void close() {
    }
}
