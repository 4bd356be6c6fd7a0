package io.sealstream.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A signed checkpoint: the chainer's statement that audit partition {@code partition} of {@code topic} had reached
 * {@code sequence} with {@code hash} at {@code time}, signed with the KMS-held key {@code keyRef}. Checkpoints go to
 * the topic {@code <audit topic>.checkpoints} and, exported, anywhere outside Kafka; the verifier takes each valid one
 * as an anchored head and accepts only records it covers (docs/ARCHITECTURE.md, "Signed checkpoints").
 *
 * <p>One line of text per checkpoint, so an export is a plain file an auditor can archive, diff and read:
 * <pre>
 * sealstream-audit-checkpoint-v1 TOPIC PARTITION SEQUENCE HASHHEX TIMEMILLIS KEYREF ALGORITHM SIGNATUREBASE64
 * </pre>
 * The signature covers {@link #signedBytes}: each of the first eight fields as a u32 big-endian length and its UTF-8
 * bytes (numbers in decimal, the hash in lower-case hex), so no two checkpoints encode alike.
 */
public record AuditCheckpoint(String topic, int partition, long sequence, byte[] hash, Instant time, String keyRef,
                              String algorithm, byte[] signature) {

    /** The first field of every line, and the first signed field. */
    public static final String VERSION = "sealstream-audit-checkpoint-v1";
    /** The signature algorithm every provider uses. */
    public static final String ED25519 = "Ed25519";
    /** The longest line {@link #parse} accepts. */
    public static final int MAX_LINE_CHARS = 2048;

    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,512}");

    public AuditCheckpoint {
        Objects.requireNonNull(time, "time");
        token(topic, "topic");
        token(keyRef, "keyRef");
        token(algorithm, "algorithm");
        if (partition < 0 || sequence < 0) {
            throw new IllegalArgumentException("checkpoint partition and sequence must be >= 0");
        }
        if (hash == null || hash.length != AuditChain.HASH_BYTES) {
            throw new IllegalArgumentException("checkpoint hash must be " + AuditChain.HASH_BYTES + " bytes");
        }
        if (signature == null || signature.length == 0 || signature.length > 512) {
            throw new IllegalArgumentException("checkpoint signature must be 1..512 bytes");
        }
        hash = hash.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** What is signed: the version label and the first seven fields, length-prefixed. */
    public static byte[] signedBytes(final String topic, final int partition, final long sequence, final byte[] hash,
                                     final Instant time, final String keyRef, final String algorithm) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        for (final String field : new String[] {VERSION, topic, Integer.toString(partition), Long.toString(sequence),
                HexFormat.of().formatHex(hash), Long.toString(time.toEpochMilli()), keyRef, algorithm}) {
            final byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
            out.write(utf8.length >>> 24);
            out.write(utf8.length >>> 16);
            out.write(utf8.length >>> 8);
            out.write(utf8.length);
            out.writeBytes(utf8);
        }
        return out.toByteArray();
    }

    public byte[] signedBytes() {
        return signedBytes(topic, partition, sequence, hash, time, keyRef, algorithm);
    }

    /** Whether {@code key} made this signature. Never throws for a malformed signature: that is simply false. */
    public boolean verifiedBy(final PublicKey key) {
        if (!ED25519.equals(algorithm) || !ED25519.equalsIgnoreCase(key.getAlgorithm())
                && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            return false;
        }
        try {
            final Signature verifier = Signature.getInstance(ED25519);
            verifier.initVerify(key);
            verifier.update(signedBytes());
            return verifier.verify(signature);
        } catch (final GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** This checkpoint as the verifier anchors it. */
    public AuditTrailVerifier.ExpectedHead head() {
        return new AuditTrailVerifier.ExpectedHead(partition, sequence, hash);
    }

    /** The one-line form (no line break). */
    public String toLine() {
        return String.join(" ", VERSION, topic, Integer.toString(partition), Long.toString(sequence),
                HexFormat.of().formatHex(hash), Long.toString(time.toEpochMilli()), keyRef, algorithm,
                Base64.getEncoder().encodeToString(signature));
    }

    /** Parses {@link #toLine()}; {@link IllegalArgumentException} with a one-line reason for anything else. */
    public static AuditCheckpoint parse(final String line) {
        if (line == null || line.length() > MAX_LINE_CHARS) {
            throw new IllegalArgumentException("not a checkpoint: empty or longer than " + MAX_LINE_CHARS + " characters");
        }
        final String[] f = line.strip().split(" ", -1);
        if (f.length != 9 || !VERSION.equals(f[0])) {
            throw new IllegalArgumentException("not a " + VERSION + " line");
        }
        try {
            final byte[] hash = HexFormat.of().parseHex(f[4]);
            return new AuditCheckpoint(f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), hash,
                    Instant.ofEpochMilli(Long.parseLong(f[5])), f[6], f[7], Base64.getDecoder().decode(f[8]));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("not a checkpoint: a number, hash or signature field is malformed");
        }
    }

    private static void token(final String value, final String what) {
        if (value == null || !TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException("checkpoint " + what + " must be 1..512 printable ASCII characters "
                    + "without spaces");
        }
    }

    @Override
    public String toString() {
        return "checkpoint " + topic + "/" + partition + "@" + sequence + " by " + keyRef;
    }
}
