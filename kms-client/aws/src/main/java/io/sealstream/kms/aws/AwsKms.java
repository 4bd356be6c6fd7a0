package io.sealstream.kms.aws;

import static io.sealstream.kms.aws.AwsKmsErrors.call;
import static io.sealstream.kms.aws.AwsKmsMapping.context;
import static io.sealstream.kms.aws.AwsKmsMapping.description;
import static io.sealstream.kms.aws.AwsKmsMapping.isPendingDeletion;
import static io.sealstream.kms.aws.AwsKmsMapping.requireBlob;
import static io.sealstream.kms.aws.AwsKmsMapping.takePlaintext;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.DekIds;
import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyDescription;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.SigningKeys;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.UnsupportedKmsOperationException;
import io.sealstream.kms.WrappedDataKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * KMS provider {@value #PROVIDER}: data keys from AWS KMS (or an API-compatible endpoint such as LocalStack).
 *
 * <h2>Key ids</h2>
 * A KEK id is a KMS key id, key ARN, alias ARN or alias name ({@code alias/...}); any other name {@code n} means the
 * alias {@code alias/n}, so {@code sealstream.keys.default=tenant-a} uses {@code alias/tenant-a}. The KEK id is kept in
 * every {@link KekRef} as written: repointing an alias to another KMS key makes data keys wrapped under the old key
 * fail to unwrap (AWS reports the wrong key), so never repoint an alias that has wrapped data keys.
 *
 * <h2>Wrapping</h2>
 * {@code GenerateDataKey} (AES_256) and {@code Decrypt}/{@code ReEncrypt} with the KEK id as {@code KeyId} and an
 * encryption context that binds the purpose label, the KEK id, the version label and the DEK id; AWS authenticates
 * the context, so a wrapped key relabelled with another key, version or DEK id is rejected by KMS (and the context
 * shows up in CloudTrail, which names the DEK of every call). The plaintext data key passes through the SDK's
 * buffers, which can not be zeroed; the copy handed out is a {@link DataKey} the caller zeroes.
 *
 * <h2>Versions</h2>
 * AWS KMS rotates key material inside a KMS key (automatic yearly rotation, {@code RotateKeyOnDemand}); every
 * ciphertext records the material it was made with, old material is kept until the whole key is deleted, and the
 * API can not address, pin or delete one material version. So a KMS key has the single version label
 * {@value #VERSION} here: {@link #rotateKey} and {@link #destroyKeyVersion} are unsupported (rotate in AWS; it is
 * transparent to sealstream), and {@link #rewrap} always re-encrypts server-side with {@code ReEncrypt}, which moves
 * the data key to the key's newest material and keeps the DEK id and the label.
 *
 * <h2>Destroying</h2>
 * {@link #destroyKey} disables the KMS key (it stops working at once, and a later {@code CancelKeyDeletion} leaves it
 * disabled), schedules its deletion after the minimum waiting period of 7 days and deletes the alias. The key
 * material is deleted by AWS only when the waiting period ends; until then an AWS administrator can cancel.
 *
 * <h2>Errors</h2>
 * Throttling, 5xx, timeouts and network failures: {@link KmsUnavailableException}; unknown key or alias:
 * {@link KeyNotFoundException}; a rejected ciphertext, wrong key or disabled key on unwrap: {@link KeyUnwrapException}
 * naming the DEK id; access denied and everything else: permanent {@link KmsException}. Messages are one line and
 * carry the AWS error code and request id, never key material or credentials.
 */
public final class AwsKms implements KeyManagementService, SigningKeys {

    /** Provider name in {@link KekRef#provider()}. */
    public static final String PROVIDER = "aws-kms";
    /** The single version label of every AWS KMS key (see the class comment). */
    public static final String VERSION = "current";
    /** The shortest deletion waiting period AWS KMS allows. */
    public static final int DELETION_WINDOW_DAYS = 7;

    private static final Logger LOG = LoggerFactory.getLogger(AwsKms.class);
    private static final Pattern KEY_UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern MULTI_REGION_KEY_ID = Pattern.compile("mrk-[0-9a-fA-F]{32}");
    private static final Pattern ALIAS_NAME = Pattern.compile("[A-Za-z0-9/_-]{1,250}");
    private static final Pattern ARN = Pattern.compile("arn:[a-z0-9-]+:kms:[a-z0-9-]+:\\d{12}:(key|alias)/[A-Za-z0-9/_-]{1,250}");
    private static final String ALIAS_PREFIX = "alias/";

    private final KmsClient kms;
    private final boolean ownsClient;
    private final String description;

    private AwsKms(final KmsClient kms, final boolean ownsClient, final String description) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.ownsClient = ownsClient;
        this.description = description;
    }

    /** A provider with its own {@link KmsClient} built from {@code config}; closing the provider closes it. */
    public static AwsKms open(final AwsKmsConfig config) {
        return open(config, builder -> { });
    }

    /**
     * As {@link #open(AwsKmsConfig)}, letting {@code customizer} adjust the client builder last (tests set static
     * credentials here; embedders add metrics publishers or interceptors).
     */
    public static AwsKms open(final AwsKmsConfig config, final Consumer<KmsClientBuilder> customizer) {
        Objects.requireNonNull(config, "config");
        final KmsClientBuilder builder = KmsClient.builder()
                .region(Region.of(config.region()))
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.socketTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(config.callTimeout())
                        .retryStrategy(b -> b.maxAttempts(config.maxAttempts()))
                        .build());
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        customizer.accept(builder);
        return new AwsKms(builder.build(), true, "region=" + config.region()
                + (config.endpoint() == null ? "" : ", endpoint=" + config.endpoint()));
    }

    /** A provider over a client the caller owns (and closes). */
    public static AwsKms using(final KmsClient client) {
        return new AwsKms(client, false, "client=" + client.serviceName());
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public DataKey generateDataKey(final String kekId, final KeyScope scope) {
        final String keyId = kmsKeyId(kekId);
        final KekRef ref = new KekRef(PROVIDER, kekId, VERSION);
        final String dekId = DekIds.newDekId();
        final GenerateDataKeyResponse response = call("GenerateDataKey", "KEK '" + kekId + "'", null,
                () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)
                        .encryptionContext(context(ref, dekId, scope))));
        final byte[] plaintext = takePlaintext(response.plaintext(), "GenerateDataKey", ref);
        try {
            final byte[] blob = requireBlob(response.ciphertextBlob(), "GenerateDataKey", ref);
            return new DataKey(plaintext, new WrappedDataKey(dekId, ref, blob, scope));
        } catch (final RuntimeException e) {
            Arrays.fill(plaintext, (byte) 0);
            throw e;
        }
    }

    @Override
    public DataKey unwrap(final WrappedDataKey wrapped) {
        final KekRef ref = checkRef(wrapped);
        final String keyId = kmsKeyId(ref.keyId());
        final DecryptResponse response = call("Decrypt", "KEK " + ref, wrapped.dekId(),
                () -> kms.decrypt(b -> b.keyId(keyId)
                        .ciphertextBlob(SdkBytes.fromByteArray(wrapped.ciphertext()))
                        .encryptionContext(context(ref, wrapped.dekId(), wrapped.scope()))
                        .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)));
        final byte[] plaintext = takePlaintext(response.plaintext(), "Decrypt", ref);
        return new DataKey(plaintext, wrapped);
    }

    @Override
    public WrappedDataKey rewrap(final WrappedDataKey wrapped) {
        final KekRef ref = checkRef(wrapped);
        final String keyId = kmsKeyId(ref.keyId());
        final Map<String, String> context = context(ref, wrapped.dekId(), wrapped.scope());
        final ReEncryptResponse response = call("ReEncrypt", "KEK " + ref, wrapped.dekId(),
                () -> kms.reEncrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(wrapped.ciphertext()))
                        .sourceKeyId(keyId).sourceEncryptionContext(context)
                        .sourceEncryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)
                        .destinationKeyId(keyId).destinationEncryptionContext(context)
                        .destinationEncryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)));
        return new WrappedDataKey(wrapped.dekId(), ref, requireBlob(response.ciphertextBlob(), "ReEncrypt", ref),
                wrapped.scope());
    }

    @Override
    public KeyDescription describeKey(final String kekId) {
        final String keyId = kmsKeyId(kekId);
        final KeyMetadata metadata = call("DescribeKey", "KEK '" + kekId + "'", null,
                () -> kms.describeKey(b -> b.keyId(keyId))).keyMetadata();
        if (metadata == null || isPendingDeletion(metadata)) {
            throw new KeyNotFoundException("AWS KMS key for KEK '" + kekId + "' is pending deletion");
        }
        return description(kekId, metadata);
    }

    /**
     * Creates a symmetric encryption KMS key and the alias {@code kekId} names. Fails if the alias exists. Automatic
     * rotation is left off (enable it in AWS if wanted; it is transparent to sealstream).
     */
    @Override
    public KeyDescription createKey(final String kekId) {
        final String aliasName = kmsKeyId(kekId);
        if (!aliasName.startsWith(ALIAS_PREFIX)) {
            throw new KmsException("aws-kms creates keys under an alias: KEK id '" + kekId
                    + "' is a key id or ARN, use an alias name instead");
        }
        if (aliasExists(aliasName, kekId)) {
            throw new KmsException("KEK '" + kekId + "' already exists in AWS KMS (" + aliasName + ")");
        }
        final KeyMetadata created = call("CreateKey", "KEK '" + kekId + "'", null,
                () -> kms.createKey(b -> b.keySpec(KeySpec.SYMMETRIC_DEFAULT).keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                        .description("sealstream KEK " + kekId))).keyMetadata();
        try {
            call("CreateAlias", "KEK '" + kekId + "'", null,
                    () -> kms.createAlias(b -> b.aliasName(aliasName).targetKeyId(created.keyId())));
        } catch (final KmsException e) {
            // Do not leave an orphan key behind (a concurrent createKey won the alias, or the alias was refused).
            try {
                kms.scheduleKeyDeletion(b -> b.keyId(created.keyId()).pendingWindowInDays(DELETION_WINDOW_DAYS));
            } catch (final SdkException cleanup) {
                LOG.warn("could not schedule deletion of orphaned AWS KMS key {}: {}", created.arn(),
                        cleanup.getClass().getSimpleName());
            }
            if (e.getCause() instanceof AlreadyExistsException) {
                throw new KmsException("KEK '" + kekId + "' already exists in AWS KMS (" + aliasName + ")");
            }
            throw e;
        }
        LOG.info("created AWS KMS key {} for KEK {}", created.arn(), kekId);
        return description(kekId, created);
    }

    // ---------------------------------------------------------------- signing keys (audit checkpoints)

    /**
     * An Ed25519 key ({@code ECC_NIST_EDWARDS25519}, usage {@code SIGN_VERIFY}) under the alias: AWS keeps the private
     * key; sealstream calls {@code Sign} and {@code GetPublicKey}. Asymmetric keys have no rotation in AWS KMS: a new
     * signing key is a new alias.
     */
    @Override
    public KekRef createSigningKey(final String keyId) {
        final String aliasName = kmsKeyId(keyId);
        if (!aliasName.startsWith(ALIAS_PREFIX) || aliasExists(aliasName, keyId)) {
            throw new KmsException("signing key '" + keyId + "' must be a new alias name in AWS KMS");
        }
        final KeyMetadata created = call("CreateKey", "signing key '" + keyId + "'", null,
                () -> kms.createKey(b -> b.keySpec(KeySpec.ECC_NIST_EDWARDS25519).keyUsage(KeyUsageType.SIGN_VERIFY)
                        .description("sealstream audit checkpoint signing key " + keyId))).keyMetadata();
        call("CreateAlias", "signing key '" + keyId + "'", null,
                () -> kms.createAlias(b -> b.aliasName(aliasName).targetKeyId(created.keyId())));
        LOG.info("created AWS KMS signing key {} for {}", created.arn(), keyId);
        return new KekRef(PROVIDER, keyId, VERSION);
    }

    @Override
    public KekRef currentSigningKey(final String keyId) {
        final KeyMetadata metadata = call("DescribeKey", "signing key '" + keyId + "'", null,
                () -> kms.describeKey(b -> b.keyId(kmsKeyId(keyId)))).keyMetadata();
        if (metadata == null || isPendingDeletion(metadata)) {
            throw new KeyNotFoundException("signing key '" + keyId + "' does not exist in AWS KMS");
        }
        if (metadata.keySpec() != KeySpec.ECC_NIST_EDWARDS25519 || metadata.keyUsage() != KeyUsageType.SIGN_VERIFY) {
            throw new KmsException("AWS KMS key '" + keyId + "' is not an Ed25519 signing key (key spec "
                    + metadata.keySpecAsString() + ", usage " + metadata.keyUsageAsString() + ")");
        }
        return new KekRef(PROVIDER, keyId, VERSION);
    }

    @Override
    public byte[] sign(final KekRef key, final byte[] message) {
        final String keyId = kmsKeyId(signingKeyOf(key));
        return call("Sign", "signing key " + key, null, () -> kms.sign(b -> b.keyId(keyId)
                .message(SdkBytes.fromByteArray(message)).messageType(MessageType.RAW)
                .signingAlgorithm(SigningAlgorithmSpec.ED25519_SHA_512))).signature().asByteArray();
    }

    @Override
    public java.security.PublicKey publicKey(final KekRef key) {
        final String keyId = kmsKeyId(signingKeyOf(key));
        final byte[] der = call("GetPublicKey", "signing key " + key, null,
                () -> kms.getPublicKey(b -> b.keyId(keyId))).publicKey().asByteArray();
        try {
            return java.security.KeyFactory.getInstance("Ed25519")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
        } catch (final java.security.GeneralSecurityException e) {
            throw new KmsException("AWS KMS's public key of " + key + " is not an Ed25519 key", e);
        }
    }

    private static String signingKeyOf(final KekRef key) {
        if (!PROVIDER.equals(key.provider()) || !VERSION.equals(key.version())) {
            throw new KeyNotFoundException("no such AWS KMS signing key: " + key);
        }
        return key.keyId();
    }

    @Override
    public KeyDescription rotateKey(final String kekId) {
        throw new UnsupportedKmsOperationException(PROVIDER, "rotating a KEK: AWS KMS rotates key material inside"
                + " the key (automatic rotation or RotateKeyOnDemand in AWS), transparently to existing data keys");
    }

    /** The keys behind customer aliases (not {@code alias/aws/...}), named by alias without {@code alias/}. */
    @Override
    public List<KeyDescription> listKeys() {
        final List<AliasListEntry> aliases = new ArrayList<>();
        call("ListAliases", "aliases", null, () -> {
            kms.listAliasesPaginator(b -> { }).aliases().forEach(aliases::add);
            return null;
        });
        final List<KeyDescription> keys = new ArrayList<>();
        for (final AliasListEntry alias : aliases) {
            final String name = alias.aliasName();
            if (name == null || alias.targetKeyId() == null || name.startsWith("alias/aws/")) {
                continue;
            }
            final String kekId = name.substring(ALIAS_PREFIX.length());
            try {
                final KeyMetadata metadata = call("DescribeKey", "KEK '" + kekId + "'", null,
                        () -> kms.describeKey(b -> b.keyId(alias.targetKeyId()))).keyMetadata();
                if (metadata != null && !isPendingDeletion(metadata)) {
                    keys.add(description(kekId, metadata));
                }
            } catch (final KeyNotFoundException e) {
                // deleted between the two calls
            }
        }
        return List.copyOf(keys);
    }

    /**
     * Disables the KMS key (effective at once), schedules its deletion after {@value #DELETION_WINDOW_DAYS} days and
     * deletes the alias {@code kekId} names. See the class comment for what "destroyed" means with AWS KMS.
     */
    @Override
    public void destroyKey(final String kekId) {
        final String keyId = kmsKeyId(kekId);
        final KeyMetadata metadata = call("DescribeKey", "KEK '" + kekId + "'", null,
                () -> kms.describeKey(b -> b.keyId(keyId))).keyMetadata();
        if (metadata == null || isPendingDeletion(metadata)) {
            throw new KeyNotFoundException("AWS KMS key for KEK '" + kekId + "' is already pending deletion");
        }
        if (metadata.keyState() != KeyState.DISABLED) {
            call("DisableKey", "KEK '" + kekId + "'", null, () -> kms.disableKey(b -> b.keyId(metadata.keyId())));
        }
        final Instant deletion = call("ScheduleKeyDeletion", "KEK '" + kekId + "'", null,
                () -> kms.scheduleKeyDeletion(b -> b.keyId(metadata.keyId()).pendingWindowInDays(DELETION_WINDOW_DAYS)))
                .deletionDate();
        if (keyId.startsWith(ALIAS_PREFIX)) {
            call("DeleteAlias", "KEK '" + kekId + "'", null, () -> kms.deleteAlias(b -> b.aliasName(keyId)));
        }
        LOG.info("destroyed KEK {}: AWS KMS key {} disabled, deletion scheduled for {}", kekId, metadata.arn(), deletion);
    }

    @Override
    public void close() {
        if (ownsClient) {
            kms.close();
        }
    }

    @Override
    public String toString() {
        return "AwsKms[" + description + "]";
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The {@code KeyId} AWS is asked for: key ids, key ARNs, alias ARNs and {@code alias/...} as they are, any other
     * name as {@code alias/<name>}. Rejects what AWS could never accept, without a call.
     */
    static String kmsKeyId(final String kekId) {
        if (kekId == null || kekId.isEmpty()) {
            throw new IllegalArgumentException("KEK id must not be empty");
        }
        if (KEY_UUID.matcher(kekId).matches() || MULTI_REGION_KEY_ID.matcher(kekId).matches()
                || ARN.matcher(kekId).matches()) {
            return kekId;
        }
        final String alias = kekId.startsWith(ALIAS_PREFIX) ? kekId : ALIAS_PREFIX + kekId;
        final String name = alias.substring(ALIAS_PREFIX.length());
        if (!ALIAS_NAME.matcher(name).matches() || name.startsWith("aws/")) {
            throw new IllegalArgumentException("invalid aws-kms KEK id: use a key id, key or alias ARN, or an alias"
                    + " name of 1 to 250 characters from A-Z a-z 0-9 / _ - (not starting with aws/)");
        }
        return alias;
    }

    private static KekRef checkRef(final WrappedDataKey wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        final KekRef ref = wrapped.kek();
        if (!PROVIDER.equals(ref.provider())) {
            throw new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " is for KMS provider '"
                    + ref.provider() + "', not '" + PROVIDER + "'");
        }
        try {
            kmsKeyId(ref.keyId());
        } catch (final IllegalArgumentException e) {
            throw new KeyNotFoundException("KEK " + ref + " of wrapped data key " + wrapped.dekId()
                    + " is not a valid AWS KMS key id");
        }
        if (!VERSION.equals(ref.version())) {
            throw new KeyNotFoundException("KEK version " + ref + " of wrapped data key " + wrapped.dekId()
                    + " not found: AWS KMS keys have the single version '" + VERSION + "'");
        }
        return ref;
    }

    private boolean aliasExists(final String aliasName, final String kekId) {
        try {
            call("DescribeKey", "KEK '" + kekId + "'", null, () -> kms.describeKey(b -> b.keyId(aliasName)));
            return true;
        } catch (final KeyNotFoundException e) {
            return false;
        }
    }
}
