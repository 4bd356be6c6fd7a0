package io.sealstream.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.UnsupportedKmsOperationException;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The provider contract against LocalStack's KMS in Docker (skipped, with the reason, where there is no Docker).
 *
 * <p>LocalStack 3.8 implements GenerateDataKey, Decrypt (authenticating the encryption context), CreateKey,
 * CreateAlias, DescribeKey, ListAliases, DisableKey, ScheduleKeyDeletion and DeleteAlias. It does not implement
 * ReEncrypt, RotateKeyOnDemand (LocalStack 4.3+) or ListKeyRotations, so {@link AwsKms#rewrap} is covered only by
 * {@link AwsKmsUnitTest}.
 */
@Testcontainers(disabledWithoutDocker = true)
class AwsKmsTest extends KmsProviderContract {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
            .withServices(LocalStackContainer.Service.KMS);

    @Override
    protected KeyManagementService createProvider() {
        final AwsKmsConfig config = AwsKmsConfig.of(LOCALSTACK.getRegion()).withEndpoint(LOCALSTACK.getEndpoint());
        return AwsKms.open(config, builder -> builder.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()))));
    }

    /**
     * AWS KMS keys have no versions sealstream can address: key material rotates inside the KMS key and old material
     * is kept until the whole key is deleted (see {@link AwsKms}). So no rotation (and hence no single-version
     * destruction) cases; whole-key destruction is supported.
     */
    @Override
    protected boolean supportsRotation() {
        return false;
    }

    @Test
    void rotationAndVersionDestructionAreRefusedClearly() {
        assertThatThrownBy(() -> kms.rotateKey(keyId)).isInstanceOf(UnsupportedKmsOperationException.class)
                .hasMessageContaining("aws-kms");
        assertThatThrownBy(() -> kms.destroyKeyVersion(keyId, AwsKms.VERSION))
                .isInstanceOf(UnsupportedKmsOperationException.class);
    }

    @Test
    void aliasArnAndKeyIdNameTheSameKey() {
        try (DataKey key = kms.generateDataKey(keyId)) {
            assertThat(key.kek().version()).isEqualTo(AwsKms.VERSION);
            assertThat(kms.describeKey("alias/" + keyId).keyId()).isEqualTo("alias/" + keyId);
        }
        assertThatThrownBy(() -> kms.createKey(keyId)).hasMessageContaining("already exists");
        assertThatThrownBy(() -> kms.describeKey("alias/no-such-" + keyId)).isInstanceOf(KeyNotFoundException.class);
    }
}
