package io.sealstream.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * After a wrap or unwrap the per-thread JDK cipher no longer holds the KEK: it has been re-keyed with a constant key,
 * so a customer key that is forgotten is not kept reachable by the thread that last used it.
 */
class GcmKeyWrapScrubTest {

    private static final KekRef REF = new KekRef("local", "k", "1");

    /** What the cipher decrypts only if it holds the constant all-zero key and IV (the scrubbed state). */
    private static byte[] sealedUnderTheScrubKey() throws Exception {
        final Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32], "AES"), new GCMParameterSpec(128, new byte[12]));
        return c.doFinal(new byte[] {42});
    }

    @Test
    void theThreadsCipherForgetsTheKekAfterAWrapAndAnUnwrap() throws Exception {
        final byte[] kekBytes = new byte[32];
        new SecureRandom().nextBytes(kekBytes);
        final ZeroizableKey kek = new ZeroizableKey(kekBytes, "AES");
        final byte[] dek = new byte[DataKey.KEY_BYTES];
        final String dekId = DekIds.newDekId();

        final byte[] wrapped = GcmKeyWrap.wrap(GcmKeyWrap.jdkCipher(), kek, REF, dekId, KeyScope.UNSCOPED, dek);
        assertThat(GcmKeyWrap.jdkCipher().doFinal(sealedUnderTheScrubKey())).containsExactly(42);

        assertThat(GcmKeyWrap.unwrap(GcmKeyWrap.jdkCipher(), kek, new WrappedDataKey(dekId, REF, wrapped))).isEqualTo(dek);
        assertThat(GcmKeyWrap.jdkCipher().doFinal(sealedUnderTheScrubKey())).containsExactly(42);

        // A failed unwrap (tampered) leaves it scrubbed too.
        wrapped[20] ^= 1;
        assertThatThrownBy(() -> GcmKeyWrap.unwrap(GcmKeyWrap.jdkCipher(), kek, new WrappedDataKey(dekId, REF, wrapped)))
                .isInstanceOf(javax.crypto.AEADBadTagException.class);
        assertThat(GcmKeyWrap.jdkCipher().doFinal(sealedUnderTheScrubKey())).containsExactly(42);

        kek.destroy();
        assertThat(kek.isDestroyed()).isTrue();
        assertThatThrownBy(kek::getEncoded).isInstanceOf(IllegalStateException.class);
    }
}
