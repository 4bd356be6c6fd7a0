package io.sealstream.pipeline;

import io.sealstream.kms.pkcs11.Pkcs11Kms;
import io.sealstream.kms.testing.SoftHsmToken;
import java.nio.file.Path;

/**
 * The key lifecycle with KEKs inside an HSM token: SoftHSM2 through SunPKCS11, non-extractable AES-256 keys. Skipped
 * with the reason where SoftHSM2 is not installed, failed instead under {@code SEALSTREAM_REQUIRE_SOFTHSM=1} (CI).
 */
class Pkcs11KeyLifecycleIT extends KeyLifecycleContractIT {

    @Override
    protected void useProvider(final PipelineFixture f, final Path dir) {
        final SoftHsmToken token = SoftHsmToken.shared();
        f.config.put("sealstream.kms.provider", Pkcs11Kms.PROVIDER);
        f.config.putAll(token.properties());
        f.env.put(Pkcs11Kms.PIN_ENV, token.pin());
        final String acme = "it-acme-" + f.id;
        final String fallback = "it-default-" + f.id;
        try (Pkcs11Kms hsm = Pkcs11Kms.open(io.sealstream.kms.pkcs11.Pkcs11KmsConfig.forSlot(SoftHsmToken.library(), token.slot(), token.pin().toCharArray()))) {
            hsm.createKey(acme);
            hsm.createKey(fallback);
        }
        f.config.put("sealstream.keys.tenant.acme", acme);
        f.config.put("sealstream.keys.default", fallback);
    }
}
