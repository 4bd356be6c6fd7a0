package io.sealstream.kms.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.WrappedDataKey;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Hadoop KMS wrapped-key parser reads bytes from object headers, which a writer to the store controls: it must fail
 * only as a rejected key. The review found 1,578 of 3,000 random wrapped keys escaping as
 * StringIndexOutOfBoundsException (a version length pointing past the end, e.g. {@code 01 FF 6B}).
 */
class WrappedEekTest {

    private static final KekRef KEK = new KekRef("hadoop-kms", "k", "k@0");
    private static final String DEK_ID = "0123456789abcdef0123456789abcdef";

    private static WrappedDataKey wrapped(final byte[] ciphertext) {
        return new WrappedDataKey(DEK_ID, KEK, ciphertext);
    }

    @Test
    void theReviewersCaseIsARejectedKey() {
        assertThatThrownBy(() -> WrappedEek.parse(wrapped(HexFormat.of().parseHex("01FF6B"))))
                .isInstanceOf(KeyUnwrapException.class).hasMessageEndingWith("malformed");
    }

    @Test
    void randomWrappedKeysFailOnlyAsRejectedKeys() {
        final Random random = new Random(3000);
        for (int i = 0; i < 3000; i++) {
            final byte[] b = new byte[1 + random.nextInt(120)];
            random.nextBytes(b);
            if (i % 2 == 0) {
                b[0] = 1; // past the format byte, into the length fields
            }
            try {
                WrappedEek.parse(wrapped(b));
            } catch (final KeyUnwrapException expected) {
                continue;
            } catch (final RuntimeException e) {
                throw new AssertionError("parsing " + HexFormat.of().formatHex(b) + " threw " + e, e);
            }
            // A random string that parses must name the version outside it, which random bytes almost never do.
            assertThat(b[1]).isEqualTo((byte) KEK.version().length());
        }
    }

    @Test
    void aWellFormedKeyStillParses() {
        final byte[] iv = new byte[16];
        final byte[] eek = new byte[32];
        final byte[] encoded = WrappedEek.encode(KEK, DEK_ID, KeyScope.UNSCOPED, iv, eek, new byte[32]);
        final WrappedEek parsed = WrappedEek.parse(wrapped(encoded));
        assertThat(parsed.versionName()).isEqualTo("k@0");
        assertThat(parsed.eek()).hasSize(32);
    }
}
