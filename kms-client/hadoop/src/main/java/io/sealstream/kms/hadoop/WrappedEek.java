package io.sealstream.kms.hadoop;

import static io.sealstream.kms.hadoop.HadoopKms.FORMAT;
import static io.sealstream.kms.hadoop.HadoopKms.IV_BYTES;
import static io.sealstream.kms.hadoop.HadoopKms.TAG_BYTES;

import io.sealstream.kms.KekRef;
import io.sealstream.kms.KeyScope;
import io.sealstream.kms.KeyUnwrapException;
import io.sealstream.kms.KmsException;
import io.sealstream.kms.WrappedDataKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wrapped form of a Hadoop KMS data key: the server's EEK with its version name and IV, plus the commitment tag
 * derived from the DEK (see {@link HadoopKms}).
 */
record WrappedEek(String versionName, byte[] iv, byte[] eek, byte[] tag) {

    private static final String TAG_LABEL = "sealstream-hadoop-kms-eek-v1";
    private static final byte[] COMMIT_INFO = "sealstream-hadoop-kms-commit-v1".getBytes(StandardCharsets.US_ASCII);

    static byte[] encode(final KekRef ref, final String dekId, final KeyScope scope, final byte[] iv, final byte[] eek,
                         final byte[] dek) {
        final byte[] version = ref.version().getBytes(StandardCharsets.UTF_8);
        if (version.length > 255 || iv.length != IV_BYTES || eek.length == 0 || eek.length > 255) {
            throw new KmsException("Hadoop KMS returned an encrypted key of unexpected shape for KEK " + ref);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(4 + version.length + iv.length + eek.length + TAG_BYTES);
        out.write(FORMAT);
        out.write(version.length);
        out.writeBytes(version);
        out.write(iv.length);
        out.writeBytes(iv);
        out.write(eek.length);
        out.writeBytes(eek);
        out.writeBytes(commitment(dek, ref, dekId, scope, iv, eek));
        return out.toByteArray();
    }

    /** The parts of {@code wrapped}, checked against its outside KEK version; never returns a relabelled key. */
    static WrappedEek parse(final WrappedDataKey wrapped) {
        final byte[] b = wrapped.ciphertext();
        try {
            int at = 0;
            if (b[at++] != FORMAT) {
                throw rejected(wrapped, "unknown format");
            }
            final int versionLength = b[at++] & 0xff;
            if (at + versionLength > b.length) {
                throw rejected(wrapped, "malformed");
            }
            final String version = new String(b, at, versionLength, StandardCharsets.UTF_8);
            at += versionLength;
            final int ivLength = b[at++] & 0xff;
            if (ivLength != IV_BYTES || at + ivLength > b.length) {
                throw rejected(wrapped, "malformed");
            }
            final byte[] iv = Arrays.copyOfRange(b, at, at + ivLength);
            at += ivLength;
            final int eekLength = b[at++] & 0xff;
            if (eekLength == 0 || at + eekLength + TAG_BYTES != b.length) {
                throw rejected(wrapped, "malformed");
            }
            final byte[] eek = Arrays.copyOfRange(b, at, at + eekLength);
            at += eekLength;
            final byte[] tag = Arrays.copyOfRange(b, at, at + TAG_BYTES);
            if (!version.equals(wrapped.kek().version())) {
                // Relabelled: the EEK inside names another version than the reference outside.
                throw rejected(wrapped, "it was encrypted under another KEK version");
            }
            return new WrappedEek(version, iv, eek, tag);
        } catch (final IndexOutOfBoundsException e) {
            // Any length field pointing past the end (ArrayIndexOutOfBounds, StringIndexOutOfBounds alike).
            throw rejected(wrapped, "malformed");
        }
    }

    /**
     * The commitment described in the comment of {@link HadoopKms}; a scoped key's tenant and bucket follow the EEK.
     * Hadoop KMS has no context of its own, so this binding is checked by sealstream, not the server: it stops anyone
     * without the DEK, and the DEK registry's recorded scope stops a tenant that holds it (ARCHITECTURE.md).
     */
    static byte[] commitment(final byte[] dek, final KekRef ref, final String dekId, final KeyScope scope,
                             final byte[] iv, final byte[] eek) {
        try {
            // HKDF-SHA256 (RFC 5869) with an all-zero salt; one output block is the 32-byte key.
            final Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            final byte[] prk = extract.doFinal(dek);
            final Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            Arrays.fill(prk, (byte) 0);
            expand.update(COMMIT_INFO);
            expand.update((byte) 1);
            final byte[] k = expand.doFinal();
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(k, "HmacSHA256"));
            Arrays.fill(k, (byte) 0);
            for (final byte[] field : new byte[][] {TAG_LABEL.getBytes(StandardCharsets.UTF_8),
                    ref.provider().getBytes(StandardCharsets.UTF_8), ref.keyId().getBytes(StandardCharsets.UTF_8),
                    ref.version().getBytes(StandardCharsets.UTF_8), dekId.getBytes(StandardCharsets.UTF_8), iv, eek,
                    scope.tenant().getBytes(StandardCharsets.UTF_8), scope.bucket().getBytes(StandardCharsets.UTF_8)}) {
                if (field.length == 0 && !scope.isScoped()) {
                    continue; // an unscoped key's commitment is the one from before scopes existed
                }
                mac.update((byte) (field.length >>> 24));
                mac.update((byte) (field.length >>> 16));
                mac.update((byte) (field.length >>> 8));
                mac.update((byte) field.length);
                mac.update(field);
            }
            return mac.doFinal();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    static KeyUnwrapException rejected(final WrappedDataKey wrapped, final String why) {
        return new KeyUnwrapException("wrapped data key " + wrapped.dekId() + " was rejected by KEK " + wrapped.kek()
                + ": " + why);
    }
}
