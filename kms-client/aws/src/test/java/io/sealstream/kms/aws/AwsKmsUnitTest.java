package io.sealstream.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.DataKey;
import io.sealstream.kms.KeyBinding;
import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KeyNotFoundException;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.testing.KmsProviderContract;
import io.sealstream.kms.KmsUnavailableException;
import io.sealstream.kms.WrappedDataKey;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReEncryptRequest;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionRequest;

/** {@link AwsKms} against {@link FakeKmsClient}: request shapes, error mapping, and the contract (runs without Docker). */
class AwsKmsUnitTest {

    private static final String SECRETISH = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private final FakeKmsClient client = new FakeKmsClient();
    private final AwsKms kms = AwsKms.using(client);

    private String newKey() {
        final String id = "tenant-" + System.nanoTime();
        kms.createKey(id);
        return id;
    }

    /** The shared contract against the fake; the hooks say the same as for LocalStack, see {@link AwsKmsTest}. */
    @Nested
    class Contract extends KmsProviderContract {
        @Override
        protected KeyManagementService createProvider() {
            return AwsKms.using(new FakeKmsClient());
        }

        // AWS KMS keys have no sealstream-addressable versions (see AwsKms): no rotation cases.
        @Override
        protected boolean supportsRotation() {
            return false;
        }
    }

    @Test
    void generateDataKeyAsksForAes256UnderTheAliasWithTheBindingContext() {
        final String id = newKey();
        try (DataKey key = kms.generateDataKey(id)) {
            final GenerateDataKeyRequest request = client.requestsOf(GenerateDataKeyRequest.class).get(0);
            assertThat(request.keyId()).isEqualTo("alias/" + id);
            assertThat(request.keySpec()).isEqualTo(DataKeySpec.AES_256);
            assertThat(request.encryptionContext()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "sealstream:purpose", KeyBinding.WRAP_LABEL,
                    "sealstream:kek-id", id,
                    "sealstream:kek-version", AwsKms.VERSION,
                    "sealstream:dek-id", key.dekId()));
            assertThat(key.kek().toString()).isEqualTo("aws-kms:" + id + "@current");

            kms.unwrap(key.wrapped()).close();
            final DecryptRequest decrypt = client.requestsOf(DecryptRequest.class).get(0);
            assertThat(decrypt.keyId()).isEqualTo("alias/" + id);
            assertThat(decrypt.encryptionContext()).isEqualTo(request.encryptionContext());
            assertThat(decrypt.encryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
        }
    }

    @Test
    void rewrapReEncryptsServerSideKeepingDekIdAndContext() {
        final String id = newKey();
        try (DataKey key = kms.generateDataKey(id)) {
            final WrappedDataKey rewrapped = kms.rewrap(key.wrapped());
            assertThat(rewrapped.dekId()).isEqualTo(key.dekId());
            assertThat(rewrapped.kek()).isEqualTo(key.kek());
            assertThat(rewrapped.ciphertext()).isNotEqualTo(key.wrapped().ciphertext());
            final ReEncryptRequest request = client.requestsOf(ReEncryptRequest.class).get(0);
            assertThat(request.sourceKeyId()).isEqualTo("alias/" + id).isEqualTo(request.destinationKeyId());
            assertThat(request.sourceEncryptionContext()).containsEntry("sealstream:dek-id", key.dekId())
                    .isEqualTo(request.destinationEncryptionContext());
            try (DataKey again = kms.unwrap(rewrapped)) {
                assertThat(again.copyKeyBytes()).isEqualTo(key.copyKeyBytes());
            }
        }
    }

    @Test
    void keyIdsAliasesAndArnsMapToKmsKeyIds() {
        assertThat(AwsKms.kmsKeyId("tenant-a")).isEqualTo("alias/tenant-a");
        assertThat(AwsKms.kmsKeyId("alias/tenant-a")).isEqualTo("alias/tenant-a");
        assertThat(AwsKms.kmsKeyId("1234abcd-12ab-34cd-56ef-1234567890ab")).isEqualTo("1234abcd-12ab-34cd-56ef-1234567890ab");
        assertThat(AwsKms.kmsKeyId("mrk-1234abcd12ab34cd56ef1234567890ab")).startsWith("mrk-");
        final String arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assertThat(AwsKms.kmsKeyId(arn)).isEqualTo(arn);
        assertThat(AwsKms.kmsKeyId("arn:aws:kms:eu-west-1:111122223333:alias/x")).endsWith(":alias/x");
        assertThatThrownBy(() -> AwsKms.kmsKeyId("aws/s3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AwsKms.kmsKeyId("bad name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kms.createKey(arn)).isInstanceOf(KmsException.class).hasMessageContaining("alias");
    }

    @Test
    void destroyKeyDisablesSchedulesTheMinimumWindowAndDeletesTheAlias() {
        final String id = newKey();
        kms.destroyKey(id);
        final ScheduleKeyDeletionRequest schedule = client.requestsOf(ScheduleKeyDeletionRequest.class).get(0);
        assertThat(schedule.pendingWindowInDays()).isEqualTo(7);
        assertThat(client.requestsOf(software.amazon.awssdk.services.kms.model.DisableKeyRequest.class)).hasSize(1);
        assertThatThrownBy(() -> kms.describeKey(id)).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> kms.destroyKey(id)).isInstanceOf(KeyNotFoundException.class);
    }

    // ---------------------------------------------------------------- error mapping

    private KmsException failureOfUnwrap(final Supplier<SdkException> failure) {
        final String id = newKey();
        try (DataKey key = kms.generateDataKey(id)) {
            client.failNext(failure);
            try {
                kms.unwrap(key.wrapped()).close();
            } catch (final KmsException e) {
                assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(SECRETISH)
                        .doesNotContainIgnoringCase(HexFormat.of().formatHex(key.copyKeyBytes()));
                return e;
            }
            throw new AssertionError("unwrap did not fail");
        }
    }

    private static SdkException service(final String code, final int status) {
        return software.amazon.awssdk.services.kms.model.KmsException.builder()
                .message(code + " " + SECRETISH)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " " + SECRETISH)
                        .serviceName("Kms").build())
                .statusCode(status).requestId("req-42").build();
    }

    @Test
    void throttlingServerErrorsTimeoutsAndNetworkFailuresAreTransient() {
        assertThat(failureOfUnwrap(() -> service("ThrottlingException", 400)))
                .isInstanceOf(KmsUnavailableException.class).hasMessageContaining("ThrottlingException")
                .hasMessageContaining("req-42");
        assertThat(failureOfUnwrap(() -> service("InternalFailure", 503))).isInstanceOf(KmsUnavailableException.class);
        assertThat(failureOfUnwrap(() -> KmsInternalException.builder().message("x").statusCode(500).build()))
                .isInstanceOf(KmsUnavailableException.class);
        assertThat(failureOfUnwrap(() -> ApiCallTimeoutException.builder().message("timed out").build()))
                .isInstanceOf(KmsUnavailableException.class);
        assertThat(failureOfUnwrap(() -> SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build()))
                .isInstanceOf(KmsUnavailableException.class).hasMessageContaining("ConnectException");
        assertThat(failureOfUnwrap(() -> SdkClientException.builder().message("reset").cause(new IOException("reset")).build())
                .isTransient()).isTrue();
    }

    @Test
    void notFoundRejectedCiphertextAndAccessDeniedArePermanent() {
        assertThat(failureOfUnwrap(() -> NotFoundException.builder().message("gone")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("NotFoundException").build()).statusCode(400).build()))
                .isInstanceOf(KeyNotFoundException.class);
        final KmsException invalid = failureOfUnwrap(() -> InvalidCiphertextException.builder().message("bad")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidCiphertextException").build()).statusCode(400).build());
        assertThat(invalid).isInstanceOf(KeyUnwrapException.class).hasMessageContaining("InvalidCiphertextException");
        assertThat(invalid.getMessage()).matches(".*data key [0-9a-f]{32}.*");
        assertThat(failureOfUnwrap(() -> IncorrectKeyException.builder().message("wrong")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("IncorrectKeyException").build()).statusCode(400).build()))
                .isInstanceOf(KeyUnwrapException.class);
        final KmsException denied = failureOfUnwrap(() -> software.amazon.awssdk.services.kms.model.KmsException.builder()
                .message("denied")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException")
                        .errorMessage("User: arn:aws:iam::111122223333:user/app is not authorized to perform: kms:Decrypt")
                        .build())
                .statusCode(400).requestId("req-7").build());
        assertThat(denied.isTransient()).isFalse();
        assertThat(denied).isNotInstanceOf(KmsUnavailableException.class).hasMessageContaining("denied")
                .hasMessageContaining("kms:Decrypt").hasMessageContaining("req-7");
        assertThat(failureOfUnwrap(() -> service("ValidationException", 400)).isTransient()).isFalse();
        assertThat(failureOfUnwrap(() -> service("NotImplemented", 501)).isTransient()).as("501 is permanent").isFalse();
        assertThat(failureOfUnwrap(() -> SdkClientException.builder()
                .message("Unable to load credentials from any of the providers in the chain").build()).isTransient())
                .as("missing credentials").isFalse();
    }

    @Test
    void wrappedKeysOfOtherProvidersOrVersionsAreRefusedWithoutACall() {
        final String id = newKey();
        try (DataKey key = kms.generateDataKey(id)) {
            final int before = client.requests.size();
            final WrappedDataKey foreign = new WrappedDataKey(key.dekId(),
                    new io.sealstream.kms.KekRef("local", id, "1"), key.wrapped().ciphertext());
            assertThatThrownBy(() -> kms.unwrap(foreign)).isInstanceOf(KeyUnwrapException.class).hasMessageContaining("local");
            final WrappedDataKey otherVersion = new WrappedDataKey(key.dekId(),
                    new io.sealstream.kms.KekRef(AwsKms.PROVIDER, id, "2"), key.wrapped().ciphertext());
            assertThatThrownBy(() -> kms.unwrap(otherVersion)).isInstanceOf(KeyNotFoundException.class);
            assertThat(client.requests).hasSize(before);
        }
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void configFromPropertiesWithDefaultsAndEnvironmentRegion() {
        final AwsKmsConfig defaults = AwsKmsConfig.fromProperties(Map.of(), Map.of("AWS_REGION", "eu-central-1"));
        assertThat(defaults.region()).isEqualTo("eu-central-1");
        assertThat(defaults.endpoint()).isNull();
        assertThat(defaults.maxAttempts()).isEqualTo(1);
        final AwsKmsConfig set = AwsKmsConfig.fromProperties(Map.of(
                "sealstream.kms.aws-kms.region", "us-east-2",
                "sealstream.kms.aws-kms.endpoint", "http://localhost:4566",
                "sealstream.kms.aws-kms.connect-timeout", "500ms",
                "sealstream.kms.aws-kms.socket-timeout", "3s",
                "sealstream.kms.aws-kms.call-timeout", "PT20S",
                "sealstream.kms.aws-kms.max-attempts", "3"), Map.of("AWS_REGION", "eu-central-1"));
        assertThat(set).isEqualTo(new AwsKmsConfig("us-east-2", URI.create("http://localhost:4566"),
                Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(20), 3));
        assertThatThrownBy(() -> AwsKmsConfig.fromProperties(Map.of(), Map.of()))
                .hasMessageContaining("sealstream.kms.aws-kms.region");
        assertThatThrownBy(() -> AwsKmsConfig.fromProperties(Map.of("sealstream.kms.aws-kms.region", "x",
                "sealstream.kms.aws-kms.call-timeout", "soon"), Map.of())).hasMessageContaining("call-timeout");
    }

    @Test
    void openBuildsARealClientWithoutCalling() {
        try (AwsKms real = AwsKms.open(AwsKmsConfig.of("eu-west-1").withEndpoint(URI.create("http://127.0.0.1:9")))) {
            assertThat(real.providerName()).isEqualTo("aws-kms");
            assertThat(real.toString()).contains("eu-west-1").contains("127.0.0.1:9");
        }
    }
}
