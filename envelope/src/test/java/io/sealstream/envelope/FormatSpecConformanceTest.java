package io.sealstream.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * A second, independent reader written only from {@code docs/FORMAT.md} with bare JDK primitives (no code from
 * the envelope module): if it decrypts the frozen vectors, the document describes the bytes truly and a reader in
 * another language can be written from it.
 */
class FormatSpecConformanceTest {

    @Test
    void theSpecAloneIsEnoughToDecryptEveryFrozenVector() throws Exception {
        for (final FrozenVectors.Vector v : FrozenVectors.load()) {
            final byte[] context = canonicalContext(v.context().asMap());
            assertThat(specDecrypt(v.ciphertext(), v.dek(), context)).as(v.name()).isEqualTo(v.plaintext());
        }
    }

    /** FORMAT.md, section "Encryption context". */
    private static byte[] canonicalContext(final java.util.SortedMap<String, String> entries) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(entries.size() >>> 8);
        out.write(entries.size());
        entries.forEach((k, val) -> {
            for (final String s : new String[] {k, val}) {
                final byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.write(b.length >>> 8);
                out.write(b.length);
                out.writeBytes(b);
            }
        });
        return out.toByteArray();
    }

    private static byte[] specDecrypt(final byte[] object, final byte[] dek, final byte[] context) throws Exception {
        final ByteBuffer b = ByteBuffer.wrap(object);
        final byte[] magic = new byte[4];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("SEAL");
        assertThat(b.get()).isEqualTo((byte) 1); // version
        assertThat(b.get()).isEqualTo((byte) 1); // suite
        final int headerLength = Short.toUnsignedInt(b.getShort());
        final int segmentSize = b.getInt();
        final int flags = b.get();
        for (int i = 0; i < 3; i++) { // provider, key id, version
            final int len = Byte.toUnsignedInt(b.get());
            b.position(b.position() + len);
        }
        b.position(b.position() + 16); // DEK id
        final int wrappedLength = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + wrappedLength); // wrapped DEK
        b.position(b.position() + 32); // salt
        final byte[] noncePrefix = new byte[7];
        b.get(noncePrefix);
        if ((flags & 1) != 0) {
            final int contextLength = Short.toUnsignedInt(b.getShort());
            b.position(b.position() + contextLength);
        }
        final int commitmentOffset = b.position();
        assertThat(commitmentOffset + 32).isEqualTo(headerLength);

        // d = SHA-256(u32(len(P)) || P || context); OKM = HKDF-Expand(DEK, label || d, 64)
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(4).putInt(commitmentOffset).array());
        sha.update(object, 0, commitmentOffset);
        sha.update(context);
        final byte[] info = concat("sealstream v1 object key".getBytes(StandardCharsets.US_ASCII), sha.digest());
        final Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(dek, "HmacSHA256"));
        final byte[] t1 = hmac.doFinal(concat(info, new byte[] {1}));
        final byte[] t2 = hmac.doFinal(concat(t1, info, new byte[] {2}));
        assertThat(Arrays.copyOfRange(object, commitmentOffset, headerLength)).as("key commitment").isEqualTo(t2);

        final Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        final ByteArrayOutputStream plain = new ByteArrayOutputStream();
        int pos = headerLength;
        for (int i = 0; ; i++) {
            final int remaining = object.length - pos;
            final boolean last = remaining <= segmentSize + 16;
            final int len = last ? remaining : segmentSize + 16;
            final byte[] nonce = ByteBuffer.allocate(12).put(noncePrefix).putInt(i).put((byte) (last ? 1 : 0)).array();
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(t1, "AES"), new GCMParameterSpec(128, nonce));
            plain.writeBytes(gcm.doFinal(object, pos, len));
            pos += len;
            if (last) {
                return plain.toByteArray();
            }
        }
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
