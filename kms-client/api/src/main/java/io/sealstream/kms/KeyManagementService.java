package io.sealstream.kms;

/**
 * The one interface every KMS provider implements and every decorator (cache, retry, metrics) wraps: both roles,
 * {@link DataKeyOperations} for the data path and {@link KeyAdministration} for the tools. It is shaped after what
 * real KMSs offer: AWS KMS GenerateDataKey/Decrypt/ReEncrypt, Vault Transit datakey/decrypt/rewrap, PKCS#11
 * encrypt/decrypt under a token key, Hadoop KMS generate/decrypt/reencrypt EEK.
 *
 * <p>Providers are found by name through {@link KmsProviderFactory}. Implementations are thread-safe.
 */
public interface KeyManagementService extends DataKeyOperations, KeyAdministration {

    @Override
    String providerName();
}
