package io.sealstream.kms.hadoop;

import io.sealstream.kms.KmsException;
import java.util.Map;

/** An encrypted key as the server answers generate and reencrypt: version name, IV and EEK (none of them secret). */
record HadoopEek(String versionName, byte[] iv, byte[] material) {
    /** The generate/reencrypt answer {versionName, iv, encryptedKeyVersion: {material}}. */
    static HadoopEek of(final Object json, final String what) {
        if (json instanceof Map<?, ?> map && map.get("versionName") instanceof String version
                && map.get("iv") instanceof String iv && map.get("encryptedKeyVersion") instanceof Map<?, ?> ekv
                && ekv.get("material") instanceof byte[] material) {
            final byte[] ivBytes;
            try {
                final char[] chars = iv.toCharArray();
                ivBytes = KmsJson.decodeBase64(chars, 0, chars.length);
            } catch (final KmsJson.MalformedException e) {
                throw new KmsException("Hadoop KMS " + what + ": malformed response (" + e.getMessage() + ")");
            }
            return new HadoopEek(version, ivBytes, material.clone()); // an EEK is not secret
        }
        throw new KmsException("Hadoop KMS " + what + ": malformed response (no encrypted key)");
    }
}
