package io.sealstream.kms.pkcs11;

import io.sealstream.kms.KeyManagementService;
import io.sealstream.kms.KmsProviderFactory;
import java.util.Map;

/** The {@code pkcs11} provider for {@link KmsProviderFactory}: KEKs in a PKCS#11 token ({@code sealstream.kms.pkcs11.*}, PIN from {@code SEALSTREAM_PKCS11_PIN} or {@code SEALSTREAM_PKCS11_PIN_FILE}; docs/kms/pkcs11.md). */
public final class Pkcs11KmsFactory implements KmsProviderFactory {

    @Override
    public String name() {
        return Pkcs11Kms.PROVIDER;
    }

    @Override
    public KeyManagementService open(final Map<String, String> settings, final Map<String, String> environment) {
        return Pkcs11KmsConfig.fromProperties(settings, environment).open();
    }
}
